"""Request-scoped values the figures endpoints share."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from services.common import casetime
from services.common.calendar import CurrentCalendar
from services.common.clock import CurrentClock, local_date


async def _overdue_before(calendar: CurrentCalendar, clock: CurrentClock) -> date:
    return casetime.overdue_cutoff(calendar, local_date(clock.now()))


# Something due before this date is overdue now, as workflow counts it.
OverdueBefore = Annotated[date, Depends(_overdue_before)]
