"""`zerovisit outbox list|requeue`: what a publisher has not delivered, and parked rows put back in line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

# Imported when a command runs, not when the command line starts (`zerovisit --help` stays quick).
if TYPE_CHECKING:
    from services.common.events.tables import EventTables
    from services.common.settings import ServiceSettings

SettingsOf = Callable[[str], "ServiceSettings"]
TablesOf = Callable[[str], "EventTables"]
_ERROR_WIDTH = 100
_LINE = "{:>8}  {:8} {:>8}  {:12} {:24} {:36}  {}"


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    publishers: Sequence[str],
    settings_of: SettingsOf,
    tables_of: TablesOf,
) -> None:
    """Add `outbox list` and `outbox requeue` to the zerovisit parser."""
    outbox = subparsers.add_parser("outbox", help="events a service has not delivered yet, and parked ones")
    commands = outbox.add_subparsers(dest="outbox_command", required=True)

    listing = commands.add_parser(
        "list",
        help="list undelivered outbox rows, oldest first",
        description="Pending rows wait for their next attempt; parked rows were refused on every attempt "
        "and wait for an operator (`zerovisit outbox requeue`).",
    )
    listing.add_argument("--service", choices=publishers, required=True)
    listing.add_argument("--parked", action="store_true", help="parked rows only")
    listing.add_argument("--limit", type=int, default=100, help="at most this many rows (default 100)")
    listing.set_defaults(handler=lambda args: _run(_list(args, settings_of, tables_of)))

    requeue = commands.add_parser(
        "requeue",
        help="give parked rows a fresh series of attempts, from now",
        description="Only parked rows are requeued: a pending row is already in line, a delivered one stays so.",
    )
    requeue.add_argument("--service", choices=publishers, required=True)
    which = requeue.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--id", type=int, action="append", dest="ids", help="a row's number from `outbox list` (repeatable)"
    )
    which.add_argument("--all-parked", action="store_true", help="every parked row")
    requeue.add_argument("--subscriber", help="with --all-parked: only the rows for this subscriber")
    requeue.set_defaults(handler=lambda args: _run(_requeue(args, settings_of, tables_of)))


def _run(command: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(command)


async def _list(args: argparse.Namespace, settings_of: SettingsOf, tables_of: TablesOf) -> int:
    from services.common.db import Database
    from services.common.events import store

    database = Database.connect(settings_of(args.service).resolved_database_url())
    try:
        async with database.engine.connect() as conn:
            rows = await store.undelivered(conn, tables_of(args.service), parked_only=args.parked, limit=args.limit)
    finally:
        await database.dispose()
    if not rows:
        print(f"{args.service}: no {'parked' if args.parked else 'undelivered'} outbox rows")
        return 0
    print(_LINE.format("id", "status", "attempts", "subscriber", "event", "case", "next attempt / last error"))
    for row in rows:
        error = (row.last_error or "").replace("\n", " ")[:_ERROR_WIDTH]
        when = row.next_attempt_at.isoformat(timespec="seconds")
        print(
            _LINE.format(
                row.seq, row.status, row.attempts, row.subscriber, row.event_type, row.case_key, f"{when} {error}"
            )
        )
    return 0


async def _requeue(args: argparse.Namespace, settings_of: SettingsOf, tables_of: TablesOf) -> int:
    if args.subscriber and not args.all_parked:
        print("error: --subscriber goes with --all-parked", file=sys.stderr)
        return 2
    from services.common.db import Database
    from services.common.events import store

    database = Database.connect(settings_of(args.service).resolved_database_url())
    try:
        async with database.engine.begin() as conn:
            count = await store.requeue_parked(
                conn, tables_of(args.service), now=datetime.now(UTC), subscriber=args.subscriber, seqs=args.ids
            )
    finally:
        await database.dispose()
    print(f"{args.service}: requeued {count} parked outbox row{'' if count == 1 else 's'}")
    if args.ids and count < len(set(args.ids)):
        print("some ids named no parked row (see `zerovisit outbox list --parked`)", file=sys.stderr)
        return 1
    return 0
