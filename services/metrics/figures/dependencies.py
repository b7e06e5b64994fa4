"""Request-scoped values the figures endpoints share."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from services.common import casetime
from services.common.calendar import CurrentCalendar
from services.common.clock import CurrentClock, local_date


async def _overdue_before(calendar: CurrentCalendar, clock: CurrentClock) -> date:
    return casetime.overdue_cutoff(calendar, local_date(clock.now()))


# Something due before this date is overdue now, as workflow counts it.
OverdueBefore = Annotated[date, Depends(_overdue_before)]

# A page of a metrics list (cases, violations, complaints): past ten million rows no offset is read.
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
