"""Workflow commands for the zerovisit command line: `zerovisit calendar load --file F`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path


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
    from services.workflow.calendar.files import CalendarFileError
    from services.workflow.calendar.loading import load_calendar_file
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
