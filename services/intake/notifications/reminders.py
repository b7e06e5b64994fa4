"""The daily check: each open case due within a few working days, or past due, is reminded once that day."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.intake.applications import service as application_service
from services.intake.applications.models import Application
from services.intake.notifications import service as notification_service
from services.intake.notifications.models import Reminder, ReminderCheck
from services.intake.notifications.outbox import Channels, wanted

DUE_SOON, OVERDUE = "due_soon", "overdue"
# Cases whose clock runs. A paused case's clock stands still and the applicant was told why; connected and
# withdrawn cases are closed.
_RUNNING = ("submitted", "in_progress")
_PAGE = 500
# Names the notification of a reminder as an event id names one of an event: a case, a kind, a day.
_REMINDER_KEYS = uuid.UUID("5b0f3c2e-8d7a-4e61-9a54-0c1d2e3f4a5b")


@dataclass(frozen=True)
class CheckResult:
    """What a day's check wrote: reminders due soon and overdue; `ran` is false when it had already run."""

    checked_on: date
    due_soon: int
    overdue: int
    ran: bool = True


def kind_of(calendar: WorkingDayCalendar, *, due_on: date, today: date, due_soon_days: int) -> str | None:
    """The reminder a case due on a date gets today, if any: overdue, due within the days, or none."""
    if casetime.is_overdue(calendar, due_on=due_on, today=today):
        return OVERDUE
    if due_on <= casetime.due_within(calendar, today, due_soon_days):
        return DUE_SOON
    return None


async def check(
    session: AsyncSession,
    *,
    calendar: WorkingDayCalendar,
    now: datetime,
    due_soon_days: int,
    channels: Channels,
    once_a_day: bool,
) -> CheckResult:
    """Remind every open case due soon or overdue today, once per case, kind and day; flushes, never commits.

    `once_a_day` (the loop of each replica): do nothing if today's check has run. Otherwise (an operator,
    cron) run again: a case reminded today is skipped, one that became due since is reminded.
    """
    today = local_date(now)
    done = await session.get(ReminderCheck, today, with_for_update=True)
    if done is not None and once_a_day:
        return CheckResult(today, 0, 0, ran=False)
    if done is None:
        done = ReminderCheck(checked_on=today, started_at=now, finished_at=now, due_soon=0, overdue=0)
        try:
            async with session.begin_nested():
                session.add(done)
        except IntegrityError:
            # Another replica is checking today in a transaction of its own; it reminds every case.
            return CheckResult(today, 0, 0, ran=False)
    given = await session.execute(select(Reminder.application_id, Reminder.kind).where(Reminder.reminded_on == today))
    reminded = {(application_id, kind) for application_id, kind in given.all()}
    counts = {DUE_SOON: 0, OVERDUE: 0}
    async for application in _open_cases(session):
        kind = kind_of(
            calendar, due_on=application_service.case_due_on(application), today=today, due_soon_days=due_soon_days
        )
        if kind is None or (application.id, kind) in reminded:
            continue
        if await _remind(session, application, kind, today=today, channels=channels, now=now):
            counts[kind] += 1
    done.finished_at = now
    done.due_soon += counts[DUE_SOON]
    done.overdue += counts[OVERDUE]
    await session.flush()
    return CheckResult(today, counts[DUE_SOON], counts[OVERDUE])


async def _open_cases(session: AsyncSession) -> AsyncIterator[Application]:
    """Every case whose clock runs, a page at a time, so a large backlog is never held in memory at once."""
    after = ""
    while True:
        page = list(
            await session.scalars(
                select(Application)
                .where(Application.status.in_(_RUNNING), Application.id > after)
                .order_by(Application.id)
                .limit(_PAGE)
            )
        )
        for application in page:
            yield application
        if len(page) < _PAGE:
            return
        after = page[-1].id


async def _remind(
    session: AsyncSession, application: Application, kind: str, *, today: date, channels: Channels, now: datetime
) -> bool:
    """The reminder, its notification and messages; false when another check reminded the case first."""
    key = str(uuid.uuid5(_REMINDER_KEYS, f"{application.id}/{kind}/{today.isoformat()}"))
    try:
        async with session.begin_nested():
            notification = await notification_service.tell(
                session,
                application=application,
                kind=kind,
                key=key,
                fields=notification_service.case_fields(application),
                channels=channels,
                wants=await wanted(session, application.owner_id),
                now=now,
            )
            await session.flush()  # the notification's id, which the reminder refers to
            session.add(
                Reminder(application_id=application.id, kind=kind, reminded_on=today, notification_id=notification.id)
            )
            await session.flush()
    except IntegrityError:
        return False
    return True
