"""Deadline arithmetic for steps, in Asia/Shanghai dates on the working-day calendar.

A span's working days are those in (start date, end date]. A step is due `limit + paused` working days
after its start date, and it is overdue once more working days than its limit have elapsed, pauses aside.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.common.calendar import DeadlineResult, WorkingDayCalendar
from services.common.clock import local_date

# Further back than any run of days off in the State Council calendar.
_LONGEST_BREAK = 60


def due(calendar: WorkingDayCalendar, *, started_at: datetime, limit: int, paused: int) -> DeadlineResult:
    """The due date of a step that started at an instant, moved later by its paused working days."""
    return calendar.add_working_days(local_date(started_at), limit + paused)


def elapsed(calendar: WorkingDayCalendar, *, started_at: datetime, until: datetime, paused: int) -> int:
    """Working days from a start to an instant, less the paused ones."""
    return max(0, calendar.working_days_between(local_date(started_at), local_date(until)) - paused)


def last_working_day(calendar: WorkingDayCalendar, day: date) -> date:
    """The latest working day on or before a day."""
    for _ in range(_LONGEST_BREAK):
        if calendar.is_working_day(day):
            return day
        day -= timedelta(days=1)
    return day


def overdue_if_due_before(calendar: WorkingDayCalendar, today: date) -> date:
    """A step due before this date is overdue today: a working day has passed since its due date."""
    return last_working_day(calendar, today)


def due_by(calendar: WorkingDayCalendar, today: date, days: int) -> date:
    """The date `days` working days from today: a step due on or before it is due within those days."""
    return calendar.add_working_days(today, days).date
