"""An applicant is told of every turn of their case, in order: in their inbox, by SMS and by push."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.intake.identity.keys import SigningKey
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.intake.messaging import owed, through
from tests.support.fake_provider import FakeProvider
from tests.support.tokens import bearer, mint
from tools import fieldwork

INBOX = "/api/v1/notifications"


@pytest.fixture
def intake_overrides(provider: FakeProvider) -> dict[str, Any]:
    """SMS and push through a provider listening on a real port."""
    return through(provider)


# Completing accept tells of the step and, as the supply contract is then ready to sign online, of that too.
WHOLE_CASE = [
    "job_created",
    "step_completed",
    "contract_ready",
    "paused",
    "resumed",
    "fee_recorded",
    "visit_recorded",
    "connected",
]


async def test_an_applicant_receives_the_notifications_of_a_whole_case_in_order(
    platform: Platform, signing_key: SigningKey, provider: FakeProvider
) -> None:
    intake, workflow = platform.intake.client, platform.workflow.client
    applicant = await sign_in(intake, "li.wei")
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    created = await intake.post(
        "/api/v1/applications", headers=applicant, json=application_body(await upload_all(intake, applicant))
    )
    application_id, number = created.json()["id"], created.json()["number"]

    async def told(count: int) -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = (await intake.get(INBOX, headers=applicant)).json()["items"]
        return items if len(items) >= count else None

    async def job() -> dict[str, Any] | None:
        items = (await workflow.get(f"/api/v1/jobs?application_id={application_id}", headers=staff)).json()["items"]
        return items[0] if items else None

    found = await eventually(job)
    job_id, rule_set = found["id"], found["rule_set"]
    await eventually(lambda: told(1))

    async def act(path: str, told_count: int, **kwargs: Any) -> None:
        current = (await workflow.get(f"/api/v1/jobs/{job_id}", headers=staff)).json()
        headers = {**staff, "If-Match": str(current["version"])}
        response = await workflow.post(f"/api/v1/jobs/{job_id}{path}", headers=headers, **kwargs)
        assert response.is_success, response.text
        await eventually(lambda: told(told_count))

    platform.clock.advance(timedelta(days=1))
    await act("/steps/accept/complete", 3)
    await act("/pause", 4, json={"reason": "customer_not_ready"})
    platform.clock.advance(timedelta(days=1))
    await act("/resume", 5)
    await act("/fees", 6, json={"code": "meter_box", "amount_yuan": "0", "payer": "grid"})
    await act("/visits", 7, json={"visited_on": "2026-11-28", "purpose": "sign_contract"})
    platform.clock.advance(timedelta(days=1))
    # The meter photo tells the applicant nothing: evidence stays in workflow.
    (meter_photo,) = fieldwork.uploads(rule_set, "connect", job_id=job_id)
    photo = await workflow.post(f"/api/v1/jobs/{job_id}/evidence", headers=staff, **meter_photo)
    assert photo.status_code == 201, photo.text
    await act("/steps/connect/complete", 8, json=fieldwork.completion(rule_set, "connect", job_id=job_id))

    inbox = (await intake.get(INBOX, headers=applicant)).json()
    assert [item["kind"] for item in reversed(inbox["items"])] == WHOLE_CASE
    assert inbox["unread_count"] == len(WHOLE_CASE)
    assert all(item["application_id"] == application_id and number in item["body"] for item in inbox["items"])
    by_kind = {item["kind"]: item for item in inbox["items"]}
    assert "受理" in by_kind["job_created"]["body"] and "年" in by_kind["job_created"]["body"]
    assert "客户受电工程未具备条件" in by_kind["paused"]["body"]
    assert "签订合同" in by_kind["visit_recorded"]["body"]

    first = by_kind["job_created"]["id"]
    assert (await intake.post(f"{INBOX}/{first}/read", headers=applicant)).status_code == 200
    unread = (await intake.get(INBOX, params={"unread": "true"}, headers=applicant)).json()
    assert unread["unread_count"] == len(WHOLE_CASE) - 1
    assert first not in [item["id"] for item in unread["items"]]

    # The same turns reached the applicant's phone and devices, each once, in the order they happened.
    async def sent(path: str) -> list[Any] | None:
        received = provider.accepted(path)
        return received if len(received) >= len(WHOLE_CASE) else None

    sms, push = await eventually(lambda: sent("/sms")), await eventually(lambda: sent("/push"))
    rows = await owed(platform.intake)
    assert [r.json["id"] for r in sms] == [row.id for row in rows if row.channel == "sms"]
    assert [row.kind for row in rows if row.channel == "sms"] == WHOLE_CASE
    assert all(r.json["phone"] == "13800138000" and number in r.json["text"] for r in sms)
    assert [r.json["kind"] for r in push] == WHOLE_CASE
    assert provider.duplicates("/sms") == 0 and len(sms) == len(push) == len(WHOLE_CASE)
