"""Reading and writing the calendar tables."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping, Sequence
from datetime import date, datetime

import chinese_calendar
from chinese_calendar.constants import Holiday
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar import YearSchedule, chinese_calendar_schedules
from services.workflow.calendar.models import HOLIDAY, MAKEUP_WORKDAY, CalendarDay, CalendarYear

Marker = tuple[datetime | None, int]
_CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in Holiday}


async def is_empty(session: AsyncSession) -> bool:
    """Whether no year has been stored yet."""
    return await session.scalar(select(CalendarYear.year).limit(1)) is None


async def save_year(
    session: AsyncSession,
    *,
    year: int,
    holidays: Mapping[date, str],
    makeup_workdays: Mapping[date, str],
    source: str,
    now: datetime,
) -> None:
    """Store (or replace) a year's published schedule."""
    YearSchedule(year, frozenset(holidays), frozenset(makeup_workdays))  # the same checks the calendar makes
    await session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    row = await session.get(CalendarYear, year)
    if row is None:
        session.add(CalendarYear(year=year, published=True, source=source, loaded_at=now))
    else:
        row.published, row.source, row.loaded_at = True, source, now
    await session.flush()
    days = [{"falls_on": d, "year": year, "kind": HOLIDAY, "name": n} for d, n in holidays.items()]
    days += [{"falls_on": d, "year": year, "kind": MAKEUP_WORKDAY, "name": n} for d, n in makeup_workdays.items()]
    if days:
        await session.execute(insert(CalendarDay), days)


async def seed(session: AsyncSession, *, now: datetime) -> int:
    """Store every year the chinesecalendar package knows; returns how many."""
    source = f"chinesecalendar {importlib.metadata.version('chinesecalendar')}"
    schedules = chinese_calendar_schedules()
    session.add_all(CalendarYear(year=s.year, published=True, source=source, loaded_at=now) for s in schedules)
    await session.flush()
    days = [
        {"falls_on": d, "year": s.year, "kind": kind, "name": _seed_name(d, kind)}
        for s in schedules
        for kind, dates in ((HOLIDAY, s.holidays), (MAKEUP_WORKDAY, s.makeup_workdays))
        for d in sorted(dates)
    ]
    await session.execute(insert(CalendarDay), days)
    return len(schedules)


def _seed_name(day: date, kind: str) -> str:
    english = (chinese_calendar.holidays if kind == HOLIDAY else chinese_calendar.workdays).get(day) or ""
    return str(_CHINESE_NAMES.get(english, english))


async def load_schedules(session: AsyncSession) -> list[YearSchedule]:
    """Every stored year as the calendar counts it."""
    years = (await session.scalars(select(CalendarYear))).all()
    days = (await session.execute(select(CalendarDay.year, CalendarDay.kind, CalendarDay.falls_on))).all()
    holidays: dict[int, set[date]] = {y.year: set() for y in years}
    makeups: dict[int, set[date]] = {y.year: set() for y in years}
    for year, kind, falls_on in days:
        (holidays if kind == HOLIDAY else makeups)[year].add(falls_on)
    return [
        YearSchedule(y.year, frozenset(holidays[y.year]), frozenset(makeups[y.year]), published=y.published)
        for y in years
    ]


async def marker(session: AsyncSession) -> Marker:
    """What changes whenever a year is stored: the newest loaded_at and the number of years."""
    row = (await session.execute(select(func.max(CalendarYear.loaded_at), func.count()))).one()
    return row[0], int(row[1])


async def year_detail(session: AsyncSession, year: int) -> tuple[CalendarYear | None, Sequence[CalendarDay]]:
    """A stored year and its listed days, in date order."""
    row = await session.get(CalendarYear, year)
    days = (
        await session.scalars(select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.falls_on))
    ).all()
    return row, days
