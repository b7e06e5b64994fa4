"""The applicant's inbox, fed by workflow's job events, and their choice of channels."""

from __future__ import annotations

import typing
from datetime import timedelta
from typing import Any

from services.common.clock import FixedClock
from services.workflow import events as job_events
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.intake.test_progress import _connected
from tests.metrics.support import deliver
from tests.support.services import Service

INBOX = "/api/v1/notifications"
PREFERENCES = "/api/v1/me/notification-preferences"


async def _apply(intake: Service, username: str = "alice") -> tuple[dict[str, str], dict[str, Any]]:
    headers = await sign_in(intake.client, username)
    body = application_body(await upload_all(intake.client, headers))
    created = await intake.client.post("/api/v1/applications", headers=headers, json=body)
    return headers, created.json()


def _paused(application_id: str, clock: FixedClock) -> dict[str, Any]:
    steps = [
        job_events.JobStep(code="accept", name="受理签约", limit_working_days=3, due_on=clock.now().date()),
        job_events.JobStep(code="connect", name="装表接电", limit_working_days=12),
    ]
    event = job_events.JobPaused(
        job_id="job-1",
        application_id=application_id,
        grid_company="SGCC-BJ",
        region="110105",
        at=clock.now(),
        current_step="accept",
        steps=steps,
        reason="government_approval_pending",
    )
    return event.model_dump(mode="json")


async def _inbox(intake: Service, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await intake.client.get(INBOX, headers=headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_pause_is_told_in_chinese_with_the_case_number_and_step(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
    (item,) = (await _inbox(intake, headers))["items"]
    assert item["kind"] == "paused" and item["application_id"] == case["id"]
    assert item["title"] == "办理已暂停"
    assert case["number"] in item["body"] and "受理签约" in item["body"] and "等待政府审批" in item["body"]
    assert item["read_at"] is None


async def test_a_connection_says_power_is_on(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await deliver(intake.client, clock, "job.connected", _connected(case["id"], clock), source="workflow")
    (item,) = (await _inbox(intake, headers))["items"]
    assert item["kind"] == "connected" and item["title"] == "已送电"


async def test_an_event_delivered_twice_makes_one_notification(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    data = _paused(case["id"], clock)
    first = await deliver(intake.client, clock, "job.paused", data, source="workflow")
    # The same signed envelope, sent again as a relay retry would.
    again = await intake.client.post("/internal/events", content=first.request.content, headers=first.request.headers)
    assert again.is_success
    assert (await _inbox(intake, headers))["unread_count"] == 1


async def test_reading_a_notification_takes_it_out_of_the_unread(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
    await deliver(intake.client, clock, "job.connected", _connected(case["id"], clock), source="workflow")
    newest, older = (await _inbox(intake, headers))["items"]
    read = await intake.client.post(f"{INBOX}/{older['id']}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = await _inbox(intake, headers, unread="true")
    assert [item["id"] for item in unread["items"]] == [newest["id"]]
    assert unread["unread_count"] == 1


async def test_reading_again_keeps_the_first_read_time(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
    (item,) = (await _inbox(intake, headers))["items"]
    first = (await intake.client.post(f"{INBOX}/{item['id']}/read", headers=headers)).json()
    clock.advance(timedelta(hours=1))
    second = (await intake.client.post(f"{INBOX}/{item['id']}/read", headers=headers)).json()
    assert first["read_at"] == second["read_at"]


async def test_another_applicant_neither_sees_nor_reads_my_notifications(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
    (item,) = (await _inbox(intake, headers))["items"]
    other = await sign_in(intake.client, "mallory")
    assert (await _inbox(intake, other)) == {"items": [], "unread_count": 0}
    refused = await intake.client.post(f"{INBOX}/{item['id']}/read", headers=other)
    assert refused.status_code == 404
    unknown = await intake.client.post(f"{INBOX}/999999/read", headers=other)
    assert {**refused.json(), "instance": None} == {**unknown.json(), "instance": None}


async def test_preferences_start_with_every_channel_and_can_be_changed(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    assert (await intake.client.get(PREFERENCES, headers=headers)).json() == {"sms": True, "push": True}
    put = await intake.client.put(PREFERENCES, headers=headers, json={"sms": False, "push": True})
    assert put.status_code == 200 and put.json() == {"sms": False, "push": True}
    assert (await intake.client.get(PREFERENCES, headers=headers)).json() == {"sms": False, "push": True}


async def test_preferences_refuse_unknown_channels(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    refused = await intake.client.put(PREFERENCES, headers=headers, json={"sms": True, "push": True, "fax": True})
    assert refused.status_code == 422


async def test_the_inbox_needs_an_account(intake: Service) -> None:
    assert (await intake.client.get(INBOX)).status_code == 401


def test_every_kind_of_notification_has_an_inbox_text_and_an_sms_text() -> None:
    from services.intake.notifications import texts
    from services.intake.notifications.schemas import Kind

    kinds = set(typing.get_args(Kind))
    assert set(texts.TEXTS) == kinds
    assert set(texts.SMS_TEXTS) == kinds
