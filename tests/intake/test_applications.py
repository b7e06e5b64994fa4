"""Applying: one list of what is missing, reuse of valid documents, idempotency, ownership."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from services.common.calendar import WorkingDayCalendar
from services.common.clock import FixedClock
from services.common.rules import load_rule_book
from tests.intake.helpers import SME_DOCUMENTS, application_body, sign_in, upload, upload_all
from tests.intake.test_progress import _connected
from tests.metrics.support import deliver
from tests.support.services import Service


async def _outbox_types(intake: Service) -> list[str]:
    from sqlalchemy import select

    tables = intake.app.state.service.event_tables
    async with intake.app.state.database.engine.connect() as connection:
        rows = await connection.execute(select(tables.outbox.c.event_type, tables.outbox.c.subscriber))
        return sorted(f"{r.event_type}->{r.subscriber}" for r in rows)


async def test_a_complete_application_is_placed_and_due_by_the_rule_set(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers)
    response = await intake.client.post("/api/v1/applications", headers=headers, json=application_body(ids))
    assert response.status_code == 201, response.text
    application = response.json()
    rule_set = load_rule_book().in_force_on(date(2026, 11, 26))
    category = rule_set.category("sme_lv")
    assert application["category"] == "sme_lv"
    assert application["grid_company"] == "SGCC-BJ"
    assert application["zero_investment"] is True
    assert application["status"] == "submitted"
    assert [s["code"] for s in application["steps"]] == [s.code for s in category.steps]
    expected = WorkingDayCalendar.default().add_working_days(date(2026, 11, 26), category.total_limit_working_days)
    assert application["due_on"] == expected.date.isoformat()
    assert sorted(application["documents"]["supplied"]) == sorted(ids)
    assert application["documents"]["reused"] == []
    # The personal details go to workflow alone; metrics gets the pseudonymous submission.
    assert await _outbox_types(intake) == [
        "application.case_shared->workflow",
        "application.submitted->metrics",
        "application.submitted->workflow",
    ]


async def test_every_missing_document_is_listed_once_in_one_answer(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    response = await intake.client.post("/api/v1/applications", headers=headers, json=application_body([]))
    assert response.status_code == 422
    problem = response.json()
    assert sorted(problem["missing_documents"]) == sorted(SME_DOCUMENTS)
    assert len(problem["missing_documents"]) == len(set(problem["missing_documents"]))
    assert (await intake.client.get("/api/v1/applications", headers=headers)).json()["total"] == 0
    assert await _outbox_types(intake) == []


async def test_a_valid_document_on_file_is_reused_and_not_asked_again(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    first_ids = await upload_all(intake.client, headers)
    first = await intake.client.post("/api/v1/applications", headers=headers, json=application_body(first_ids))
    assert first.status_code == 201
    # The same premises, written with other spacing and case: the property certificate counts again.
    second = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body([], address=" 1  CHAOYANG Road, Beijing")
    )
    assert second.status_code == 201, second.text
    documents = second.json()["documents"]
    assert documents["supplied"] == []
    assert sorted(documents["reused"]) == sorted(first_ids)


async def test_an_expired_document_is_not_reused_and_is_named(intake: Service, clock: FixedClock) -> None:
    headers = await sign_in(intake.client, "alice")
    await upload(intake.client, headers, "business_license", valid_until="2031-01-01")
    await upload(intake.client, headers, "property_certificate", valid_until=None)
    await upload(intake.client, headers, "id_card", valid_until="2026-11-27")
    clock.advance(timedelta(days=2))  # the ID card ended yesterday
    response = await intake.client.post("/api/v1/applications", headers=headers, json=application_body([]))
    assert response.status_code == 422
    assert response.json()["missing_documents"] == ["id_card"]
    assert response.json()["expired_documents"] == ["id_card"]


async def test_a_document_valid_until_today_is_still_valid(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = [(await upload(intake.client, headers, t, valid_until="2026-11-26")).json()["id"] for t in SME_DOCUMENTS]
    response = await intake.client.post("/api/v1/applications", headers=headers, json=application_body(ids))
    assert response.status_code == 201


async def test_someone_elses_document_ids_are_refused(intake: Service) -> None:
    alice = await sign_in(intake.client, "alice")
    mallory = await sign_in(intake.client, "mallory")
    alice_ids = await upload_all(intake.client, alice)
    response = await intake.client.post("/api/v1/applications", headers=mallory, json=application_body(alice_ids))
    assert response.status_code == 422
    assert sorted(response.json()["unknown_document_ids"]) == sorted(alice_ids)


async def test_a_replay_with_the_same_key_returns_the_first_answer(intake: Service) -> None:
    headers = {**await sign_in(intake.client, "alice"), "Idempotency-Key": "order-1"}
    body = application_body(await upload_all(intake.client, headers))
    first = await intake.client.post("/api/v1/applications", headers=headers, json=body)
    again = await intake.client.post("/api/v1/applications", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert (await intake.client.get("/api/v1/applications", headers=headers)).json()["total"] == 1


async def test_the_same_key_with_another_body_is_refused(intake: Service) -> None:
    headers = {**await sign_in(intake.client, "alice"), "Idempotency-Key": "order-1"}
    body = application_body(await upload_all(intake.client, headers))
    assert (await intake.client.post("/api/v1/applications", headers=headers, json=body)).status_code == 201
    changed = await intake.client.post("/api/v1/applications", headers=headers, json={**body, "capacity_kva": 120})
    assert changed.status_code == 422
    assert changed.json()["type"].endswith("idempotency-key-reused")
    assert (await intake.client.get("/api/v1/applications", headers=headers)).json()["total"] == 1


async def test_concurrent_submissions_with_one_key_create_one_application(intake: Service) -> None:
    headers = {**await sign_in(intake.client, "alice"), "Idempotency-Key": "double-tap"}
    body = application_body(await upload_all(intake.client, headers))
    answers = await asyncio.gather(
        *(intake.client.post("/api/v1/applications", headers=headers, json=body) for _ in range(4))
    )
    assert {a.status_code for a in answers} <= {201, 409}
    assert all(a.json()["type"].endswith("idempotent-request-in-flight") for a in answers if a.status_code == 409)
    created = [a for a in answers if a.status_code == 201]
    assert created
    assert len({a.json()["id"] for a in created}) == 1
    assert (await intake.client.get("/api/v1/applications", headers=headers)).json()["total"] == 1
    assert len(await _outbox_types(intake)) == 3  # submitted to workflow and metrics, the case to workflow


async def test_keys_are_per_applicant(intake: Service) -> None:
    alice = {**await sign_in(intake.client, "alice"), "Idempotency-Key": "same"}
    bob = {**await sign_in(intake.client, "bob"), "Idempotency-Key": "same"}
    a = await intake.client.post(
        "/api/v1/applications", headers=alice, json=application_body(await upload_all(intake.client, alice))
    )
    b = await intake.client.post(
        "/api/v1/applications", headers=bob, json=application_body(await upload_all(intake.client, bob))
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def test_another_applicants_application_is_not_found(intake: Service) -> None:
    alice = await sign_in(intake.client, "alice")
    mallory = await sign_in(intake.client, "mallory")
    created = await intake.client.post(
        "/api/v1/applications", headers=alice, json=application_body(await upload_all(intake.client, alice))
    )
    application_id = created.json()["id"]
    assert (await intake.client.get(f"/api/v1/applications/{application_id}", headers=mallory)).status_code == 404
    assert (
        await intake.client.post(f"/api/v1/applications/{application_id}/withdraw", headers=mallory)
    ).status_code == 404
    assert (await intake.client.get("/api/v1/applications", headers=mallory)).json()["total"] == 0
    assert (await intake.client.get(f"/api/v1/applications/{application_id}", headers=alice)).json()[
        "status"
    ] == "submitted"


async def test_a_client_cannot_set_status_category_or_grid_company(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers)
    for field, value in (("status", "connected"), ("category", "residential_lv"), ("grid_company", "CSG-SZ")):
        response = await intake.client.post(
            "/api/v1/applications", headers=headers, json=application_body(ids, **{field: value})
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"][-1] == field
    assert (await intake.client.get("/api/v1/applications", headers=headers)).json()["total"] == 0


async def test_an_unserved_region_is_a_clear_problem(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers)
    response = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(ids, region="990101")
    )
    assert response.status_code == 422
    assert response.json()["region"] == "990101"


async def test_withdrawing_twice_is_a_conflict(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    created = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(await upload_all(intake.client, headers))
    )
    application_id = created.json()["id"]
    first = await intake.client.post(f"/api/v1/applications/{application_id}/withdraw", headers=headers)
    assert first.status_code == 200
    assert first.json()["status"] == "withdrawn"
    assert (
        await intake.client.post(f"/api/v1/applications/{application_id}/withdraw", headers=headers)
    ).status_code == 409
    assert "application.withdrawn->workflow" in await _outbox_types(intake)


async def test_evaluation_waits_for_connection(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    created = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(await upload_all(intake.client, headers))
    )
    response = await intake.client.post(
        f"/api/v1/applications/{created.json()['id']}/evaluation", headers=headers, json={"score": 5}
    )
    assert response.status_code == 409


async def test_withdrawals_sent_at_once_have_one_winner_and_one_event(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    created = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(await upload_all(intake.client, headers))
    )
    url = f"/api/v1/applications/{created.json()['id']}/withdraw"

    answers = await asyncio.gather(*(intake.client.post(url, headers=headers) for _ in range(6)))

    assert sorted(answer.status_code for answer in answers) == [200] + [409] * 5
    assert (await _outbox_types(intake)).count("application.withdrawn->metrics") == 1


async def test_ratings_sent_at_once_have_one_winner_and_one_event(intake: Service, clock: FixedClock) -> None:
    headers = await sign_in(intake.client, "alice")
    created = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(await upload_all(intake.client, headers))
    )
    application_id = created.json()["id"]
    connected = await deliver(
        intake.client, clock, "job.connected", _connected(application_id, clock), source="workflow"
    )
    assert connected.status_code == 200
    url = f"/api/v1/applications/{application_id}/evaluation"

    answers = await asyncio.gather(
        *(intake.client.post(url, headers=headers, json={"score": s}) for s in (1, 2, 3, 4, 5))
    )

    (winner,) = [answer for answer in answers if answer.status_code == 200]
    assert sorted(answer.status_code for answer in answers) == [200] + [409] * 4
    assert (await _outbox_types(intake)).count("application.evaluated->metrics") == 1
    stored = (await intake.client.get(f"/api/v1/applications/{application_id}", headers=headers)).json()
    assert stored["evaluation_score"] == winner.json()["evaluation_score"]


@pytest.mark.parametrize("phone", ["+0-----", "1 2 3 4 5 6", "123-45"])
async def test_a_contact_phone_without_seven_digits_is_refused(intake: Service, phone: str) -> None:
    headers = await sign_in(intake.client, "alice")
    body = application_body(await upload_all(intake.client, headers), contact_phone=phone)

    response = await intake.client.post("/api/v1/applications", headers=headers, json=body)

    assert (response.status_code, response.json()["errors"][0]["loc"][-1]) == (422, "contact_phone")


async def test_the_answer_to_an_application_reads_as_it_does_later(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    body = application_body(await upload_all(intake.client, headers), capacity_kva="100")

    created = (await intake.client.post("/api/v1/applications", headers=headers, json=body)).json()
    read = (await intake.client.get(f"/api/v1/applications/{created['id']}", headers=headers)).json()

    assert (created["capacity_kva"], read["capacity_kva"]) == ("100.00", "100.00")


async def test_staff_tokens_cannot_apply(intake: Service, signing_key: object) -> None:
    from tests.support.tokens import bearer, mint

    token = mint(signing_key, sub="staff-1", role="staff", grid_company="SGCC-BJ")  # type: ignore[arg-type]
    response = await intake.client.post("/api/v1/applications", headers=bearer(token), json=application_body([]))
    assert response.status_code == 403


async def test_a_submission_that_cannot_be_written_whole_leaves_nothing_behind(
    intake: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from services.common.events import outbox
    from services.intake.applications.models import Application, ApplicationDocument

    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers)
    first = await intake.client.post("/api/v1/applications", headers=headers, json=application_body(ids))
    assert first.status_code == 201
    tables = intake.app.state.service.event_tables
    database = intake.app.state.database
    async with database.engine.connect() as connection:
        submitted = select(tables.outbox.c.event_id).where(tables.outbox.c.event_type == "application.submitted")
        [taken] = set((await connection.execute(submitted)).scalars())

    # The next event gets the id of the first: its outbox rows collide with those already there, the last
    # thing the submission writes.
    monkeypatch.setattr(outbox, "uuid4", lambda: uuid.UUID(taken))
    with pytest.raises(IntegrityError):
        await intake.client.post("/api/v1/applications", headers=headers, json=application_body(ids))

    async with database.engine.connect() as connection:
        counts = [
            (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            for table in (Application.__table__, ApplicationDocument.__table__, tables.outbox)
        ]
    assert counts == [1, len(ids), 3]  # the first submission's: submitted twice, its case shared once


async def test_a_document_listed_again_on_a_later_application_counts_as_reused(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    ids = await upload_all(intake.client, headers)
    first = await intake.client.post("/api/v1/applications", headers=headers, json=application_body(ids))
    assert first.status_code == 201
    assert sorted(first.json()["documents"]["supplied"]) == sorted(ids)

    again = await intake.client.post("/api/v1/applications", headers=headers, json=application_body(ids))

    assert again.status_code == 201, again.text
    assert again.json()["documents"]["supplied"] == []
    assert sorted(again.json()["documents"]["reused"]) == sorted(ids)
