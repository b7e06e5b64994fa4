"""The working-day calendar, public: deadlines and each year's official schedule."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.common.calendar import HOLIDAY, CurrentCalendar
from services.common.calendar import store as calendar_store
from services.common.db import DbSession
from services.common.errors import Unprocessable, problem_responses
from services.workflow.calendar.exceptions import DateOutOfRange
from services.workflow.calendar.schemas import CalendarYearRead, DeadlineRead, NamedDayRead
from services.workflow.db import calendar_tables

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])

MAX_DAYS = 3650


@router.get(
    "/add-working-days",
    response_model=DeadlineRead,
    responses=problem_responses(DateOutOfRange, Unprocessable),
)
async def add_working_days(
    calendar: CurrentCalendar,
    start: Annotated[dt.date, Query(description="The day counting starts after (not itself counted).")],
    days: Annotated[int, Query(ge=0, le=MAX_DAYS, description="Working days to add.")],
) -> DeadlineRead:
    """The date `days` working days after `start`; provisional if it runs through an unpublished year."""
    try:
        result = calendar.add_working_days(start, days)
    except (OverflowError, ValueError) as exc:
        raise DateOutOfRange(f"{days} working days after {start} is past the last representable date.") from exc
    return DeadlineRead(date=result.date, provisional=result.provisional)


@router.get("/{year}", response_model=CalendarYearRead, responses=problem_responses(Unprocessable))
async def read_calendar_year(
    session: DbSession, calendar: CurrentCalendar, year: Annotated[int, Path(ge=1900, le=9999)]
) -> CalendarYearRead:
    """A year's holidays and make-up working days; a year not yet published is provisional, weekends only."""
    row, days = await calendar_store.year_detail(session, calendar_tables, year)
    published = row is not None and row.published and calendar.is_published(year)
    listed = days if published else []
    return CalendarYearRead(
        year=year,
        published=published,
        provisional=not published,
        source=row.source if row is not None else None,
        loaded_at=row.loaded_at if row is not None else None,
        holidays=[NamedDayRead(date=d.falls_on, name=d.name) for d in listed if d.kind == HOLIDAY],
        makeup_workdays=[NamedDayRead(date=d.falls_on, name=d.name) for d in listed if d.kind != HOLIDAY],
    )
