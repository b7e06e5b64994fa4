"""Reading and writing a service's calendar tables."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import chinese_calendar
from chinese_calendar.constants import Holiday
from sqlalchemy import Row, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.common.calendar.days import YearSchedule, chinese_calendar_schedules
from services.common.calendar.tables import HOLIDAY, MAKEUP_WORKDAY, CalendarTables

# Every stored year with when and from where it was loaded: a replaced year changes it, whatever its loaded_at.
Marker = tuple[tuple[int, datetime, str], ...]
Executor = AsyncSession | AsyncConnection
_CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in Holiday}


async def is_empty(session: Executor, tables: CalendarTables) -> bool:
    """Whether no year has been stored yet."""
    return (await session.execute(select(tables.year.c.year).limit(1))).first() is None


async def save_year(
    session: Executor,
    tables: CalendarTables,
    *,
    year: int,
    holidays: Mapping[date, str],
    makeup_workdays: Mapping[date, str],
    source: str,
    now: datetime,
) -> None:
    """Store (or replace) a year's published schedule."""
    YearSchedule(year, frozenset(holidays), frozenset(makeup_workdays))  # the same checks the calendar makes
    await session.execute(delete(tables.day).where(tables.day.c.year == year))
    await session.execute(delete(tables.year).where(tables.year.c.year == year))
    await session.execute(insert(tables.year).values(year=year, published=True, source=source, loaded_at=now))
    days = [{"falls_on": d, "year": year, "kind": HOLIDAY, "name": n} for d, n in holidays.items()]
    days += [{"falls_on": d, "year": year, "kind": MAKEUP_WORKDAY, "name": n} for d, n in makeup_workdays.items()]
    if days:
        await session.execute(insert(tables.day), days)


async def seed(session: Executor, tables: CalendarTables, *, now: datetime) -> int:
    """Store every year the chinesecalendar package knows; returns how many."""
    source = f"chinesecalendar {importlib.metadata.version('chinesecalendar')}"
    schedules = chinese_calendar_schedules()
    await session.execute(
        insert(tables.year),
        [{"year": s.year, "published": True, "source": source, "loaded_at": now} for s in schedules],
    )
    days = [
        {"falls_on": d, "year": s.year, "kind": kind, "name": _seed_name(d, kind)}
        for s in schedules
        for kind, dates in ((HOLIDAY, s.holidays), (MAKEUP_WORKDAY, s.makeup_workdays))
        for d in sorted(dates)
    ]
    await session.execute(insert(tables.day), days)
    return len(schedules)


def _seed_name(day: date, kind: str) -> str:
    english = (chinese_calendar.holidays if kind == HOLIDAY else chinese_calendar.workdays).get(day) or ""
    return str(_CHINESE_NAMES.get(english, english))


async def load_schedules(session: Executor, tables: CalendarTables) -> list[YearSchedule]:
    """Every stored year as the calendar counts it."""
    years = (await session.execute(select(tables.year.c.year, tables.year.c.published))).all()
    days = (await session.execute(select(tables.day.c.year, tables.day.c.kind, tables.day.c.falls_on))).all()
    holidays: dict[int, set[date]] = {year: set() for year, _ in years}
    makeups: dict[int, set[date]] = {year: set() for year, _ in years}
    for year, kind, falls_on in days:
        (holidays if kind == HOLIDAY else makeups)[year].add(falls_on)
    return [
        YearSchedule(year, frozenset(holidays[year]), frozenset(makeups[year]), published=published)
        for year, published in years
    ]


async def marker(session: Executor, tables: CalendarTables) -> Marker:
    """What changes whenever a year is stored: each year's loaded_at and source (a few dozen short rows).

    Not the newest loaded_at alone: a year a publisher loaded before this service seeded its own copy replaces
    that copy with an older loaded_at, and the newest one stays as it was.
    """
    year = tables.year.c
    rows = await session.execute(select(year.year, year.loaded_at, year.source).order_by(year.year))
    return tuple((row.year, row.loaded_at, row.source) for row in rows)


async def year_detail(
    session: Executor, tables: CalendarTables, year: int
) -> tuple[Row[Any] | None, Sequence[Row[Any]]]:
    """A stored year and its listed days, in date order."""
    row = (await session.execute(select(tables.year).where(tables.year.c.year == year))).first()
    days = (
        await session.execute(select(tables.day).where(tables.day.c.year == year).order_by(tables.day.c.falls_on))
    ).all()
    return row, days
