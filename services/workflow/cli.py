"""Workflow commands for the zerovisit command line: `zerovisit calendar load --file F`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from services.common.calendar import WorkingDayCalendar
from services.common.calendar import store as calendar_store
from services.common.calendar.events import CalendarYearPublished, NamedDay, publish_year
from services.common.db import Database
from services.common.rules import load_rule_book
from services.common.settings import Subscriber
from services.workflow.calendar.files import CalendarFileError, YearFile, read_year_file
from services.workflow.db import calendar_tables, event_tables
from services.workflow.jobs import recompute
from services.workflow.jobs.context import Context
from services.workflow.jobs.publishing import SOURCE
from services.workflow.settings import WorkflowSettings


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the workflow's commands to the zerovisit parser."""
    calendar = subparsers.add_parser("calendar", help="the working-day calendar of the workflow service")
    commands = calendar.add_subparsers(dest="calendar_command", required=True)
    load = commands.add_parser(
        "load",
        help="store one year's official schedule (YAML or JSON: year, holidays, makeup_workdays)",
        description="Store a year's holidays and make-up working days, replacing what was stored for it. "
        "Running services pick it up within *_CALENDAR_RELOAD_SECONDS; intake and metrics receive it as an event.",
    )
    load.add_argument("--file", required=True, type=Path, help="a .yaml, .yml or .json file")
    load.set_defaults(handler=cmd_calendar_load)


def cmd_calendar_load(args: argparse.Namespace) -> int:
    """Load a year file into the workflow database named by the WORKFLOW_ settings."""
    try:
        year, moved = asyncio.run(
            load_calendar_file(WorkflowSettings().resolved_database_url(), args.file, now=datetime.now(UTC))
        )
    except CalendarFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"calendar: stored {year.year} ({len(year.holidays)} holidays, "
        f"{len(year.makeup_workdays)} make-up working days) from {args.file}; "
        f"{moved} provisional due dates recounted"
    )
    return 0


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
