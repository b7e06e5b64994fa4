"""No SMS between 22:00 and 08:00 in Asia/Shanghai: a message owed then is held until the morning."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from services.common.clock import SHANGHAI, FixedClock
from services.intake.notifications.quiet import QuietHours
from tests.conftest import StartIntake
from tests.intake.messaging import owed, send_round, through
from tests.intake.test_notifications import _apply, _paused
from tests.metrics.support import deliver
from tests.support.fake_provider import FakeProvider

NIGHT = QuietHours(time(22, 0), time(8, 0))


def _local(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("written", "goes_at"),
    [
        (_local(26, 21, 59), _local(26, 21, 59)),
        (_local(26, 22, 0), _local(27, 8, 0)),
        (_local(27, 7, 59), _local(27, 8, 0)),
        (_local(27, 8, 0), _local(27, 8, 0)),
    ],
    ids=["21:59 goes", "22:00 waits for the morning", "07:59 waits a minute", "08:00 goes"],
)
async def test_an_sms_is_held_through_the_night_and_push_is_not(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock, written: datetime, goes_at: datetime
) -> None:
    async with start_intake(**through(provider)) as intake:
        _, case = await _apply(intake)
        clock.instant = written.astimezone(UTC)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        (sms,) = await owed(intake, "sms")
        assert sms.next_attempt_at == goes_at
        await send_round(intake)
        assert len(provider.accepted("/push")) == 1  # push is never held
        assert len(provider.accepted("/sms")) == (1 if goes_at == written else 0)
        clock.instant = goes_at.astimezone(UTC)
        await send_round(intake)
        (sent,) = await owed(intake, "sms")
    assert len(provider.accepted("/sms")) == 1
    assert sent.status == "sent" and sent.sent_at == goes_at


async def test_an_sms_claimed_as_the_night_begins_is_held_without_spending_an_attempt(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    async with start_intake(**through(provider, push_url="", push_secret="")) as intake:
        _, case = await _apply(intake)
        clock.instant = _local(26, 21, 59).astimezone(UTC)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        clock.advance(timedelta(minutes=1))
        assert await send_round(intake) == 0
        (held,) = await owed(intake)
    assert provider.accepted("/sms") == []
    assert held.status == "pending" and held.attempts == 0 and held.next_attempt_at == _local(27, 8, 0)


async def test_a_retry_that_would_fall_in_the_night_waits_for_the_morning(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    provider.failing_with = 503
    settings = through(provider, push_url="", push_secret="", messages_backoff_base_seconds=600)
    async with start_intake(**settings) as intake:
        _, case = await _apply(intake)
        clock.instant = _local(26, 21, 55).astimezone(UTC)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        await send_round(intake)
        (retrying,) = await owed(intake)
    assert retrying.attempts == 1 and retrying.next_attempt_at == _local(27, 8, 0)


@pytest.mark.parametrize(
    ("instant", "quiet"),
    [((21, 59), False), ((22, 0), True), ((23, 59), True), ((0, 0), True), ((7, 59), True), ((8, 0), False)],
)
def test_the_night_runs_from_22_00_until_08_00_local_time(instant: tuple[int, int], quiet: bool) -> None:
    assert NIGHT.is_quiet(_local(26, *instant).astimezone(UTC)) is quiet


def test_equal_bounds_mean_no_quiet_hours() -> None:
    always = QuietHours(time(8, 0), time(8, 0))
    assert not always.is_quiet(_local(26, 23, 0)) and always.release_at(_local(26, 23, 0)) == _local(26, 23, 0)
