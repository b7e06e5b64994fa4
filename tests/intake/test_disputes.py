"""Disputes: the applicant's word against a visit or fee the grid company recorded on the case."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from services.common.clock import FixedClock
from services.workflow import events as job_events
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.metrics.support import deliver
from tests.support.services import Service

REASON = "I never went to the office: the engineer came to my shop."


def _common(application_id: str, clock: FixedClock) -> dict[str, Any]:
    step = job_events.JobStep(code="accept", name="受理签约", limit_working_days=3, started_at=clock.now())
    return {
        "job_id": "job-1",
        "application_id": application_id,
        "grid_company": "SGCC-BJ",
        "region": "110105",
        "at": clock.now(),
        "current_step": "accept",
        "steps": [step],
    }


async def record_visit(intake: Service, clock: FixedClock, application_id: str, visit_id: str) -> None:
    """job.visit_recorded as workflow declares it, delivered to intake."""
    event = job_events.JobVisitRecorded(
        **_common(application_id, clock),
        visit_id=visit_id,
        visited_on=clock.now().date(),
        purpose="sign_contract",
        over_allowance=True,
    )
    data = event.model_dump(mode="json")
    assert (await deliver(intake.client, clock, event.event_type, data, source="workflow")).status_code == 200


async def record_fee(intake: Service, clock: FixedClock, application_id: str, fee_id: str) -> None:
    """job.fee_recorded as workflow declares it, delivered to intake."""
    event = job_events.JobFeeRecorded(
        **_common(application_id, clock),
        fee_id=fee_id,
        code="meter_box",
        amount_yuan=Decimal("800.00"),
        payer="customer",
        flagged=True,
    )
    data = event.model_dump(mode="json")
    assert (await deliver(intake.client, clock, event.event_type, data, source="workflow")).status_code == 200


async def _apply(intake: Service, username: str = "alice") -> tuple[dict[str, str], str]:
    headers = await sign_in(intake.client, username)
    created = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(await upload_all(intake.client, headers))
    )
    assert created.status_code == 201, created.text
    return headers, created.json()["id"]


def _dispute(record: str, record_id: str, reason: str = REASON) -> dict[str, Any]:
    return {"record": record, "record_id": record_id, "reason": reason}


async def test_the_progress_lists_each_visit_and_fee_with_the_id_workflow_gave_it(
    intake: Service, clock: FixedClock
) -> None:
    headers, application_id = await _apply(intake)
    await record_visit(intake, clock, application_id, "visit-1")
    await record_fee(intake, clock, application_id, "fee-1")
    progress = (await intake.client.get(f"/api/v1/applications/{application_id}", headers=headers)).json()["progress"]
    assert progress["visits"] == [
        {"id": "visit-1", "visited_on": "2026-11-26", "purpose": "sign_contract", "recorded_at": "2026-11-26T02:00:00Z"}
    ]
    assert progress["fees"] == [
        {
            "id": "fee-1",
            "code": "meter_box",
            "amount_yuan": "800.00",
            "payer": "customer",
            "recorded_at": "2026-11-26T02:00:00Z",
        }
    ]


async def test_the_applicant_disputes_a_visit_recorded_on_the_case(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    await record_visit(intake, clock, application_id, "visit-1")
    raised = await intake.client.post(
        f"/api/v1/applications/{application_id}/disputes", headers=headers, json=_dispute("visit", "visit-1")
    )
    assert raised.status_code == 201, raised.text
    dispute = raised.json()
    assert {k: dispute[k] for k in ("application_id", "record", "record_id", "reason", "status")} == {
        "application_id": application_id,
        "record": "visit",
        "record_id": "visit-1",
        "reason": REASON,
        "status": "open",
    }
    assert dispute["created_at"] == "2026-11-26T02:00:00Z"
    listed = await intake.client.get(f"/api/v1/applications/{application_id}/disputes", headers=headers)
    assert listed.json() == {"items": [dispute]}


async def test_a_dispute_tells_metrics_which_record_and_when_but_not_the_reason(
    intake: Service, clock: FixedClock
) -> None:
    headers, application_id = await _apply(intake)
    await record_fee(intake, clock, application_id, "fee-1")
    url = f"/api/v1/applications/{application_id}/disputes"
    dispute = (await intake.client.post(url, headers=headers, json=_dispute("fee", "fee-1"))).json()
    tables = intake.app.state.service.event_tables
    async with intake.app.state.database.engine.connect() as connection:
        statement = select(tables.outbox.c.subscriber, tables.outbox.c.body).where(
            tables.outbox.c.event_type == "application.disputed"
        )
        rows = (await connection.execute(statement)).all()
    assert sorted(row.subscriber for row in rows) == ["metrics", "workflow"]
    data = json.loads(rows[0].body)["data"]
    assert data == {
        "dispute_id": dispute["id"],
        "application_id": application_id,
        "record": "fee",
        "record_id": "fee-1",
        "grid_company": "SGCC-BJ",
        "region": "110105",
        "record_on": "2026-11-26",
        "disputed_at": "2026-11-26T02:00:00Z",
    }
    assert "never went" not in rows[0].body and "Li Wei" not in rows[0].body


async def test_a_record_that_is_not_on_the_case_is_422(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    await record_fee(intake, clock, application_id, "fee-1")
    url = f"/api/v1/applications/{application_id}/disputes"
    unknown = await intake.client.post(url, headers=headers, json=_dispute("visit", "visit-404"))
    assert unknown.status_code == 422
    assert unknown.json()["type"].endswith("/record-not-on-case")
    # A fee's id is not a visit of the case.
    wrong_kind = await intake.client.post(url, headers=headers, json=_dispute("visit", "fee-1"))
    assert wrong_kind.status_code == 422
    assert (await intake.client.get(url, headers=headers)).json() == {"items": []}


async def test_a_record_of_another_case_is_422(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    _, other_id = await _apply(intake, "bob")
    await record_visit(intake, clock, other_id, "visit-of-bob")
    url = f"/api/v1/applications/{application_id}/disputes"
    response = await intake.client.post(url, headers=headers, json=_dispute("visit", "visit-of-bob"))
    assert response.status_code == 422


async def test_a_second_open_dispute_of_the_same_record_is_409(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    await record_visit(intake, clock, application_id, "visit-1")
    url = f"/api/v1/applications/{application_id}/disputes"
    first = await intake.client.post(url, headers=headers, json=_dispute("visit", "visit-1"))
    again = await intake.client.post(url, headers=headers, json=_dispute("visit", "visit-1", "Still wrong."))
    assert again.status_code == 409
    assert again.json()["type"].endswith("/dispute-exists")
    assert again.json()["dispute_id"] == first.json()["id"]
    assert len((await intake.client.get(url, headers=headers)).json()["items"]) == 1


async def test_only_the_applicant_of_the_case_may_dispute_it(intake: Service, clock: FixedClock) -> None:
    _, application_id = await _apply(intake)
    await record_visit(intake, clock, application_id, "visit-1")
    other = await sign_in(intake.client, "mallory")
    url = f"/api/v1/applications/{application_id}/disputes"
    assert (await intake.client.post(url, headers=other, json=_dispute("visit", "visit-1"))).status_code == 404
    assert (await intake.client.get(url, headers=other)).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        _dispute("visit", "visit-1", ""),
        _dispute("visit", "visit-1", "   "),
        _dispute("visit", "visit-1", "x" * 501),
        _dispute("meter", "visit-1"),
        _dispute("visit", ""),
        _dispute("visit", "v" * 37),
        {"record": "visit", "record_id": "visit-1"},
        {**_dispute("visit", "visit-1"), "status": "resolved"},
    ],
    ids=["empty", "blank", "too-long", "unknown-kind", "no-id", "long-id", "no-reason", "status-field"],
)
async def test_bad_input_is_a_422_problem(intake: Service, clock: FixedClock, body: dict[str, Any]) -> None:
    headers, application_id = await _apply(intake)
    await record_visit(intake, clock, application_id, "visit-1")
    response = await intake.client.post(f"/api/v1/applications/{application_id}/disputes", headers=headers, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_reason_of_500_characters_is_accepted(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    await record_visit(intake, clock, application_id, "visit-1")
    url = f"/api/v1/applications/{application_id}/disputes"
    response = await intake.client.post(url, headers=headers, json=_dispute("visit", "visit-1", "理" * 500))
    assert response.status_code == 201


async def test_a_retry_with_the_same_idempotency_key_returns_the_first_dispute(
    intake: Service, clock: FixedClock
) -> None:
    headers, application_id = await _apply(intake)
    await record_visit(intake, clock, application_id, "visit-1")
    url = f"/api/v1/applications/{application_id}/disputes"
    keyed = {**headers, "Idempotency-Key": "dispute-1"}
    first = await intake.client.post(url, headers=keyed, json=_dispute("visit", "visit-1"))
    retry = await intake.client.post(url, headers=keyed, json=_dispute("visit", "visit-1"))
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    changed = await intake.client.post(url, headers=keyed, json=_dispute("visit", "visit-1", "Another reason."))
    assert changed.status_code == 422


async def test_the_same_idempotency_key_on_another_case_is_not_a_replay(intake: Service, clock: FixedClock) -> None:
    headers = await sign_in(intake.client, "alice")
    cases = []
    for _ in range(2):
        body = application_body(await upload_all(intake.client, headers))
        cases.append((await intake.client.post("/api/v1/applications", headers=headers, json=body)).json()["id"])
    for application_id in cases:
        await record_visit(intake, clock, application_id, "visit-1")
    keyed = {**headers, "Idempotency-Key": "dispute-1"}
    first = await intake.client.post(
        f"/api/v1/applications/{cases[0]}/disputes", headers=keyed, json=_dispute("visit", "visit-1")
    )
    second = await intake.client.post(
        f"/api/v1/applications/{cases[1]}/disputes", headers=keyed, json=_dispute("visit", "visit-1")
    )
    assert first.status_code == 201
    assert second.status_code == 422
    assert second.json()["type"].endswith("/idempotency-key-reused")
