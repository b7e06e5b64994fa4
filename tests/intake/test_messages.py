"""SMS and push messages: owed beside each notification, sent once through the configured outlets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import timedelta

import pytest

from services.common.clock import FixedClock
from services.intake.settings import IntakeSettings
from tests.conftest import StartIntake
from tests.intake.messaging import PUSH_SECRET, SMS_KEY, owed, send_round, through
from tests.intake.test_notifications import PREFERENCES, _apply, _paused
from tests.intake.test_progress import _connected
from tests.metrics.support import deliver
from tests.support.fake_provider import FakeProvider


async def test_an_sms_goes_through_the_http_provider_keyed_by_its_message_id(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    async with start_intake(**through(provider)) as intake:
        _, case = await _apply(intake)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        assert await send_round(intake) == 2
        (row,) = await owed(intake, "sms")
    (sms,) = provider.accepted("/sms")
    assert sms.headers["authorization"] == f"Bearer {SMS_KEY}"
    assert sms.headers["idempotency-key"] == row.id == sms.json["id"]
    assert sms.json["phone"] == "13800138000"
    assert sms.json["text"].startswith("【网上办电】") and case["number"] in sms.json["text"]
    assert "受理签约" in sms.json["text"] and "等待政府审批" in sms.json["text"]
    assert row.status == "sent" and row.attempts == 1 and row.sent_at == clock.now()


async def test_the_log_provider_writes_the_sms_to_the_log_without_the_whole_number(
    start_intake: StartIntake, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with start_intake() as intake:
        _, case = await _apply(intake)
        await deliver(intake.client, clock, "job.connected", _connected(case["id"], clock), source="workflow")
        with caplog.at_level(logging.INFO, logger="zerovisit.intake.messages"):
            assert await send_round(intake) == 1  # SMS only: no push gateway is configured
        (row,) = await owed(intake)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "zerovisit.intake.messages"]
    assert row.id in line and case["number"] in line and "已装表接电" in line
    assert "***8000" in line and "13800138000" not in line
    assert row.channel == "sms" and row.status == "sent"


async def test_a_push_message_is_signed_over_its_id_timestamp_and_body(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    async with start_intake(**through(provider)) as intake:
        _, case = await _apply(intake)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        await send_round(intake)
        (row,) = await owed(intake, "push")
    (push,) = provider.accepted("/push")
    message_id, timestamp = push.headers["webhook-id"], push.headers["webhook-timestamp"]
    assert message_id == row.id and int(timestamp) == int(clock.now().timestamp())
    expected = hmac.new(PUSH_SECRET.encode(), f"{message_id}.{timestamp}.".encode() + push.body, hashlib.sha256)
    assert push.headers["webhook-signature"] == "v1," + base64.b64encode(expected.digest()).decode()
    forged = hmac.new(b"another-secret", f"{message_id}.{timestamp}.".encode() + push.body, hashlib.sha256)
    assert push.headers["webhook-signature"] != "v1," + base64.b64encode(forged.digest()).decode()
    assert push.json["kind"] == "paused" and push.json["application_id"] == case["id"]
    assert push.json["title"] == "办理已暂停" and case["number"] in push.json["body"]
    assert "phone" not in push.json


async def test_a_message_is_sent_once_however_many_rounds_run(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    async with start_intake(**through(provider)) as intake:
        _, case = await _apply(intake)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        sent = [await send_round(intake) for _ in range(3)]
    assert sent == [2, 0, 0]
    assert len(provider.accepted("/sms")) == 1 and len(provider.accepted("/push")) == 1


async def test_an_applicant_who_turned_sms_off_gets_push_only(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    async with start_intake(**through(provider)) as intake:
        headers, case = await _apply(intake)
        await intake.client.put(PREFERENCES, headers=headers, json={"sms": False, "push": True})
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        assert [row.channel for row in await owed(intake)] == ["push"]


async def test_an_applicant_who_wants_neither_still_has_the_inbox(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    async with start_intake(**through(provider)) as intake:
        headers, case = await _apply(intake)
        await intake.client.put(PREFERENCES, headers=headers, json={"sms": False, "push": False})
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        assert await owed(intake) == []
        inbox = (await intake.client.get("/api/v1/notifications", headers=headers)).json()
        assert inbox["unread_count"] == 1


async def test_a_message_refused_on_every_attempt_is_parked(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    provider.failing_with = 400
    async with start_intake(**through(provider, messages_max_attempts=2, push_url="", push_secret="")) as intake:
        _, case = await _apply(intake)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        assert await send_round(intake) == 0
        (first,) = await owed(intake)
        assert first.status == "pending" and first.attempts == 1 and first.next_attempt_at > clock.now()
        clock.advance(timedelta(hours=1))
        await send_round(intake)
        (parked,) = await owed(intake)
    assert parked.status == "parked" and parked.attempts == 2 and "HTTP 400" in (parked.last_error or "")


async def test_a_provider_that_is_down_is_waited_for_however_many_attempts(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    provider.failing_with = 503
    async with start_intake(**through(provider, messages_max_attempts=2, push_url="", push_secret="")) as intake:
        _, case = await _apply(intake)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        for _ in range(4):
            await send_round(intake)
            clock.advance(timedelta(hours=1))
        (waiting,) = await owed(intake)
        assert waiting.status == "pending" and waiting.attempts == 4
        provider.failing_with = None
        assert await send_round(intake) == 1
    assert len(provider.accepted("/sms")) == 1


async def test_a_cases_later_message_waits_for_its_earlier_one(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    async with start_intake(**through(provider, push_url="", push_secret="")) as intake:
        _, case = await _apply(intake)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        await deliver(intake.client, clock, "job.connected", _connected(case["id"], clock), source="workflow")
        provider.failing_with = 503
        await send_round(intake)
        assert provider.answered("/sms", 503) == 1  # the second was not tried past the first
        provider.failing_with = None
        clock.advance(timedelta(hours=1))
        while await send_round(intake):
            pass
        rows = await owed(intake)
    assert [sms.json["id"] for sms in provider.accepted("/sms")] == [row.id for row in rows]
    assert [row.kind for row in rows] == ["paused", "connected"]


def test_the_http_provider_needs_its_address_and_key() -> None:
    with pytest.raises(ValueError, match="INTAKE_SMS_URL"):
        IntakeSettings(sms_provider="http", sms_url="https://sms.example.cn/send")


def test_a_push_gateway_beyond_loopback_needs_a_long_secret() -> None:
    short = IntakeSettings(push_url="https://push.example.cn/hooks", push_secret="short")
    with pytest.raises(ValueError, match="INTAKE_PUSH_SECRET"):
        short.refuse_development_secrets(listening=False)
    IntakeSettings(push_url="https://push.example.cn/hooks", push_secret="s" * 32).refuse_development_secrets(
        listening=False
    )
    IntakeSettings(push_url="http://127.0.0.1:9000/hooks", push_secret="short").refuse_development_secrets(
        listening=False
    )
