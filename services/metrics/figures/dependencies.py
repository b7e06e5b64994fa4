"""Request-scoped values the figures endpoints share."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from services.common.calendar import WorkingDayCalendar
from services.common.clock import CurrentClock, local_date


def _overdue_before(request: Request, clock: CurrentClock) -> date:
    # Overdue once a whole working day has passed since the due date, as workflow counts it: a case due
    # on the eve of a weekend or holiday is not overdue until work resumes.
    calendar: WorkingDayCalendar = request.app.state.calendar
    return calendar.last_working_day(local_date(clock.now()))


OverdueBefore = Annotated[date, Depends(_overdue_before)]
