"""A case's time figures, one definition for every service: due dates, elapsed days, overdue.

Dates are taken in Asia/Shanghai. A span's working days are those in (start date, end date]. A step is
due `limit + paused` working days after the day it started; it is overdue once a whole working day has
passed since its due date, so a deadline on the eve of a weekend or holiday is not overdue until work
resumes. A paused clock stands still: a paused case is overdue if it was on the day it paused.
"""

from __future__ import annotations

from datetime import date, datetime

from services.common.calendar import DeadlineResult, WorkingDayCalendar
from services.common.clock import local_date


def due(calendar: WorkingDayCalendar, *, started_at: datetime, limit: int, paused: int = 0) -> DeadlineResult:
    """The due date of a step or case that started at an instant, moved later by its paused working days."""
    return calendar.add_working_days(local_date(started_at), limit + paused)


def moved_by_pauses(calendar: WorkingDayCalendar, due_on: date, paused: int) -> date:
    """A due date fixed at the start, moved later by the working days paused since."""
    return calendar.add_working_days(due_on, paused).date


def elapsed(calendar: WorkingDayCalendar, *, started_at: datetime, until: datetime, paused: int = 0) -> int:
    """Working days from a start to an instant, less the paused ones."""
    return handling_days(calendar, started_on=local_date(started_at), ended_on=local_date(until), paused=paused)


def handling_days(calendar: WorkingDayCalendar, *, started_on: date, ended_on: date, paused: int = 0) -> int:
    """Working days from one date to another, less the paused ones: a case's handling time."""
    return max(0, calendar.working_days_between(started_on, ended_on) - paused)


def overdue_cutoff(calendar: WorkingDayCalendar, today: date) -> date:
    """Something due before this date is overdue today: the latest working day on or before today."""
    return calendar.last_working_day(today)


def is_overdue(calendar: WorkingDayCalendar, *, due_on: date | None, today: date) -> bool:
    """Whether something due on a date is overdue on a day (for a paused case: the day it paused)."""
    return due_on is not None and due_on < overdue_cutoff(calendar, today)


def working_days_left(calendar: WorkingDayCalendar, *, due_on: date, today: date) -> int:
    """Working days from a day until a due date: 0 when due that day, negative once overdue by that many.

    Counted like `is_overdue`: a due date on the eve of a weekend is still 0 over the weekend, and -1 on the
    first working day after it, when it becomes overdue.
    """
    if due_on >= today:
        return calendar.working_days_between(today, due_on)
    return -calendar.working_days_between(due_on, today)


def due_within(calendar: WorkingDayCalendar, today: date, days: int) -> date:
    """The date `days` working days from today: anything due on or before it is due within those days."""
    return calendar.add_working_days(today, days).date
