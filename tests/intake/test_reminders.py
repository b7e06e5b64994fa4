"""The daily check: cases due within a few working days, or past due, are reminded once a day."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from services.common.clock import SHANGHAI, FixedClock
from services.intake.notifications.models import Reminder, ReminderCheck
from services.intake.notifications.reminders import CheckResult
from services.intake.notifications.tasks import run_check
from tests.conftest import StartIntake
from tests.flows.conftest import eventually
from tests.intake.messaging import owed, through
from tests.intake.test_notifications import _apply, _paused
from tests.metrics.support import deliver
from tests.support.fake_provider import FakeProvider
from tests.support.services import Service

INBOX = "/api/v1/notifications"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)


async def _check(intake: Service, clock: FixedClock, *, once_a_day: bool = False) -> CheckResult:
    state = intake.app.state.service
    return await run_check(state.database, state.live_calendar, state.settings, now=clock.now(), once_a_day=once_a_day)


async def _inbox(intake: Service, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await intake.client.get(INBOX, headers=headers)).json()["items"]
    return items


async def test_a_case_due_far_ahead_is_not_reminded(start_intake: StartIntake, clock: FixedClock) -> None:
    async with start_intake() as intake:
        headers, _ = await _apply(intake)
        result = await _check(intake, clock)
        assert (result.due_soon, result.overdue) == (0, 0)
        assert await _inbox(intake, headers) == []


async def test_a_case_due_today_is_reminded_as_due_soon_with_its_number_step_and_date(
    start_intake: StartIntake, clock: FixedClock
) -> None:
    async with start_intake() as intake:
        headers, case = await _apply(intake)
        due_on = date.fromisoformat(case["due_on"])
        clock.instant = _at(due_on)
        assert (await _check(intake, clock)).due_soon == 1
        (item,) = await _inbox(intake, headers)
        (sms,) = await owed(intake, "sms")
    assert item["kind"] == "due_soon" and item["title"] == "即将到期"
    assert case["number"] in item["body"] and f"{due_on.month}月{due_on.day}日" in item["body"]
    assert case["steps"][0]["name"] in item["body"]
    assert sms.kind == "due_soon" and case["number"] in sms.text


async def test_a_case_past_due_is_reminded_as_overdue(start_intake: StartIntake, clock: FixedClock) -> None:
    async with start_intake() as intake:
        headers, case = await _apply(intake)
        clock.instant = _at(date.fromisoformat(case["due_on"]) + timedelta(days=14))
        assert (await _check(intake, clock)).overdue == 1
        (item,) = await _inbox(intake, headers)
    assert item["kind"] == "overdue" and "12398" in item["body"]


async def test_the_check_run_again_the_same_day_reminds_nobody_twice(
    start_intake: StartIntake, provider: FakeProvider, clock: FixedClock
) -> None:
    async with start_intake(**through(provider)) as intake:
        headers, case = await _apply(intake)
        clock.instant = _at(date.fromisoformat(case["due_on"]))
        first = await _check(intake, clock)
        clock.advance(timedelta(hours=3))
        again = await _check(intake, clock)
        looped = await _check(intake, clock, once_a_day=True)
        rows = await owed(intake)
        kinds = [item["kind"] for item in await _inbox(intake, headers)]
        async with intake.app.state.service.database.sessionmaker() as session:
            reminders = await session.scalar(select(func.count()).select_from(Reminder))
            day = await session.get(ReminderCheck, clock.now().astimezone(SHANGHAI).date())
    assert (first.due_soon, again.due_soon, looped.ran) == (1, 0, False)
    assert kinds == ["due_soon"]
    assert reminders == 1 and [row.channel for row in rows] == ["push", "sms"]
    assert day is not None and day.due_soon == 1


async def test_the_next_day_a_case_still_due_is_reminded_again(start_intake: StartIntake, clock: FixedClock) -> None:
    async with start_intake() as intake:
        headers, case = await _apply(intake)
        clock.instant = _at(date.fromisoformat(case["due_on"]) + timedelta(days=14))
        await _check(intake, clock, once_a_day=True)
        clock.advance(timedelta(days=1))
        assert (await _check(intake, clock, once_a_day=True)).overdue == 1
        assert [item["kind"] for item in await _inbox(intake, headers)] == ["overdue", "overdue"]


async def test_a_paused_case_is_not_reminded(start_intake: StartIntake, clock: FixedClock) -> None:
    async with start_intake() as intake:
        headers, case = await _apply(intake)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        clock.instant = _at(date.fromisoformat(case["due_on"]) + timedelta(days=14))
        result = await _check(intake, clock)
        assert (result.due_soon, result.overdue) == (0, 0)
        assert [item["kind"] for item in await _inbox(intake, headers)] == ["paused"]


async def test_the_daily_loop_waits_for_its_hour_then_checks_once(start_intake: StartIntake, clock: FixedClock) -> None:
    async with start_intake(reminders_enabled=True, reminders_interval_seconds=0.02) as intake:
        headers, case = await _apply(intake)  # today's check finds it due far ahead
        clock.instant = _at(date.fromisoformat(case["due_on"]), hour=8)
        await asyncio.sleep(0.3)  # a dozen of the loop's rounds
        assert await _inbox(intake, headers) == []  # 08:00: before the check's hour
        clock.instant = _at(date.fromisoformat(case["due_on"]), hour=9)
        items = await eventually(lambda: _told(intake, headers), within_seconds=5)
        await asyncio.sleep(0.3)  # more rounds, which find the day checked
        items = await _inbox(intake, headers)
    assert [item["kind"] for item in items] == ["due_soon"]


async def _told(intake: Service, headers: dict[str, str]) -> list[dict[str, Any]] | None:
    items = await _inbox(intake, headers)
    return items or None
