"""Workflow commands for the zerovisit command line: `zerovisit calendar load --file F`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.workflow.calendar.files import YearFile


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the workflow's commands to the zerovisit parser."""
    calendar = subparsers.add_parser("calendar", help="the working-day calendar of the workflow service")
    commands = calendar.add_subparsers(dest="calendar_command", required=True)
    load = commands.add_parser(
        "load",
        help="store one year's official schedule (YAML or JSON: year, holidays, makeup_workdays)",
        description="Store a year's holidays and make-up working days, replacing what was stored for it. "
        "Running workflow services pick it up within WORKFLOW_CALENDAR_RELOAD_SECONDS.",
    )
    load.add_argument("--file", required=True, type=Path, help="a .yaml, .yml or .json file")
    load.set_defaults(handler=cmd_calendar_load)


def cmd_calendar_load(args: argparse.Namespace) -> int:
    """Load a year file into the workflow database named by the WORKFLOW_ settings."""
    from services.workflow.calendar.files import CalendarFileError
    from services.workflow.settings import WorkflowSettings

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


async def load_calendar_file(database_url: str, path: Path, *, now: datetime) -> tuple[YearFile, int]:
    """Store a year file and recount the provisional due dates it settles, in one transaction.

    Returns the year and how many jobs' due dates moved; CalendarFileError if the file is wrong.
    """
    from services.common.calendar import WorkingDayCalendar
    from services.common.db import Database
    from services.workflow.calendar import store
    from services.workflow.calendar.files import read_year_file
    from services.workflow.jobs import recompute

    year = read_year_file(path)
    database = Database.connect(database_url)
    try:
        async with database.sessionmaker() as session, session.begin():
            await store.save_year(
                session,
                year=year.year,
                holidays={day.date: day.name for day in year.holidays},
                makeup_workdays={day.date: day.name for day in year.makeup_workdays},
                source=year.source or f"file {path.name}",
                now=now,
            )
            calendar = WorkingDayCalendar(await store.load_schedules(session))
            moved = await recompute.refresh_provisional_due_dates(session, calendar=calendar, now=now)
    finally:
        await database.dispose()
    return year, moved
