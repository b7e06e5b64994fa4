"""Loading a year's official schedule into workflow, the calendar's authority, and telling the others."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from services.common.calendar import WorkingDayCalendar
from services.common.calendar import store as calendar_store
from services.common.calendar.events import CalendarYearPublished, NamedDay, publish_year
from services.common.db import Database
from services.common.rules import load_rule_book
from services.common.settings import Subscriber
from services.workflow.calendar.files import YearFile, read_year_file
from services.workflow.db import calendar_tables, event_tables
from services.workflow.jobs import recompute
from services.workflow.jobs.change import SOURCE
from services.workflow.jobs.context import Context
from services.workflow.settings import WorkflowSettings


async def load_calendar_file(
    database_url: str, path: Path, *, now: datetime, subscribers: Sequence[Subscriber] | None = None
) -> tuple[YearFile, int]:
    """Store a year file, publish it, and recount the provisional due dates it settles, in one transaction.

    Intake and metrics receive the year as an event and count with it too; each job whose due date moved
    is published as well, so the applicant's progress and the regulator's open cases follow.
    Returns the year and how many jobs' due dates moved; CalendarFileError if the file is wrong.
    """
    year = read_year_file(path)
    subscribers = WorkflowSettings().subscribers if subscribers is None else subscribers
    source = year.source or f"file {path.name}"
    database = Database.connect(database_url)
    try:
        async with database.sessionmaker() as session, session.begin():
            await calendar_store.save_year(
                session,
                calendar_tables,
                year=year.year,
                holidays={day.date: day.name for day in year.holidays},
                makeup_workdays={day.date: day.name for day in year.makeup_workdays},
                source=source,
                now=now,
            )
            published = CalendarYearPublished(
                year=year.year,
                holidays=[NamedDay(date=day.date, name=day.name) for day in year.holidays],
                makeup_workdays=[NamedDay(date=day.date, name=day.name) for day in year.makeup_workdays],
                source=source,
                loaded_at=now,
            )
            await publish_year(session, event_tables, published, source=SOURCE, subscribers=subscribers)
            ctx = Context(
                actor=recompute.ACTOR,
                now=now,
                calendar=WorkingDayCalendar(await calendar_store.load_schedules(session, calendar_tables)),
                rules=load_rule_book(),
                event_tables=event_tables,
                subscribers=subscribers,
            )
            moved = await recompute.refresh_provisional_due_dates(session, ctx=ctx)
    finally:
        await database.dispose()
    return year, moved
