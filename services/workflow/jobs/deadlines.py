"""Deadline arithmetic for steps, in Asia/Shanghai dates on the working-day calendar.

A span's working days are those in (start date, end date]. A step is due `limit + paused` working days
after its start date, and it is overdue once more working days than its limit have elapsed, pauses aside.
"""

from __future__ import annotations

from datetime import date, datetime

from services.common.calendar import DeadlineResult, WorkingDayCalendar
from services.common.clock import local_date


def due(calendar: WorkingDayCalendar, *, started_at: datetime, limit: int, paused: int) -> DeadlineResult:
    """The due date of a step that started at an instant, moved later by its paused working days."""
    return calendar.add_working_days(local_date(started_at), limit + paused)


def elapsed(calendar: WorkingDayCalendar, *, started_at: datetime, until: datetime, paused: int) -> int:
    """Working days from a start to an instant, less the paused ones."""
    return max(0, calendar.working_days_between(local_date(started_at), local_date(until)) - paused)


def overdue_if_due_before(calendar: WorkingDayCalendar, today: date) -> date:
    """A step due before this date is overdue today: a working day has passed since its due date."""
    return calendar.last_working_day(today)


def due_by(calendar: WorkingDayCalendar, today: date, days: int) -> date:
    """The date `days` working days from today: a step due on or before it is due within those days."""
    return calendar.add_working_days(today, days).date
