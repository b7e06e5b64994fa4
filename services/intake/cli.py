"""Intake commands for the zerovisit command line: `zerovisit notifications check|messages|requeue`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from services.common.outbox_commands import WaitingTable, on_database, requeue_status

_MESSAGES = WaitingTable(
    line="{:36}  {:7} {:>8}  {:5} {:15} {:36}  {}",
    headings=("id", "status", "attempts", "chan", "kind", "case"),
    error_width=80,
)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the intake's commands to the zerovisit parser."""
    notifications = subparsers.add_parser("notifications", help="reminders and the SMS and push messages owed")
    commands = notifications.add_subparsers(dest="notifications_command", required=True)

    check = commands.add_parser(
        "check",
        help="remind today's cases due soon or overdue (safe to run again: once per case, kind and day)",
        description="What intake's daily loop does, for operators and cron: every open case due within "
        "INTAKE_DUE_SOON_WORKING_DAYS working days, or past due, is told once today in the inbox, by SMS and push.",
    )
    check.set_defaults(handler=lambda args: _run(_check()))

    listing = commands.add_parser(
        "messages",
        help="list SMS and push messages not sent yet, oldest first",
        description="Pending messages wait for their next attempt (or for the morning, an SMS at night); "
        "parked ones were refused on every attempt and wait for `zerovisit notifications requeue`.",
    )
    listing.add_argument("--parked", action="store_true", help="parked messages only")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    listing.set_defaults(handler=lambda args: _run(_list(args)))

    requeue = commands.add_parser("requeue", help="give parked messages a fresh series of attempts, from now")
    which = requeue.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", action="append", dest="ids", help="a message id from `messages` (repeatable)")
    which.add_argument("--all-parked", action="store_true", help="every parked message")
    requeue.set_defaults(handler=lambda args: _run(_requeue(args)))


def _run(command: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(command)


async def _check() -> int:
    from services.common.calendar import LiveCalendar
    from services.common.clock import SystemClock
    from services.common.db import Database
    from services.intake.db import calendar_tables
    from services.intake.notifications.tasks import run_check
    from services.intake.settings import IntakeSettings

    settings = IntakeSettings()
    database = Database.connect(settings.resolved_database_url())
    clock = SystemClock()
    try:
        calendar = LiveCalendar(calendar_tables, reload_seconds=0)
        await calendar.start(database, clock)
        result = await run_check(database, calendar, settings, now=clock.now(), once_a_day=False)
    finally:
        await database.dispose()
    print(f"reminders for {result.checked_on}: {result.due_soon} due soon, {result.overdue} overdue")
    return 0


async def _list(args: argparse.Namespace) -> int:
    from services.intake.notifications import outbox
    from services.intake.settings import IntakeSettings

    rows = await on_database(
        IntakeSettings().resolved_database_url(),
        lambda conn: outbox.unsent(conn, parked_only=args.parked, limit=args.limit),
    )
    _MESSAGES.show(
        rows,
        lambda row: (row.id, row.status, row.attempts, row.channel, row.kind, row.application_id),
        none=f"no {'parked' if args.parked else 'unsent'} messages",
    )
    return 0


async def _requeue(args: argparse.Namespace) -> int:
    from services.intake.notifications import outbox
    from services.intake.settings import IntakeSettings

    count = await on_database(
        IntakeSettings().resolved_database_url(),
        lambda conn: outbox.requeue_parked(conn, now=datetime.now(UTC), ids=args.ids),
        writes=True,
    )
    print(f"requeued {count} parked message{'' if count == 1 else 's'}")
    return requeue_status(
        args.ids, count, unknown="some ids named no parked message (see `zerovisit notifications messages --parked`)"
    )
