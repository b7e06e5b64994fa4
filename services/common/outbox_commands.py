"""`zerovisit outbox list|requeue`: what a publisher has not delivered, and parked rows put back in line.

The way these commands read, show and requeue leased rows serves any such table (intake's messages too).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Collection, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

# Imported when a command runs, not when the command line starts (`zerovisit --help` stays quick).
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from services.common.events.tables import EventTables
    from services.common.settings import ServiceSettings

SettingsOf = Callable[[str], "ServiceSettings"]
TablesOf = Callable[[str], "EventTables"]
T = TypeVar("T")
W = TypeVar("W", bound="Waiting")


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    publishers: Sequence[str],
    settings_of: SettingsOf,
    tables_of: TablesOf,
) -> None:
    """Add `outbox list` and `outbox requeue` to the zerovisit parser."""
    commands = subparsers.add_parser(
        "outbox", help="events a service has not delivered yet, and parked ones"
    ).add_subparsers(dest="outbox_command", required=True)

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


async def on_database(url: str, work: Callable[[AsyncConnection], Awaitable[T]], *, writes: bool = False) -> T:
    """Run work on a database, in a transaction committed at its end when it writes; then let the database go."""
    from services.common.db import Database

    database = Database.connect(url)
    try:
        async with database.engine.begin() if writes else database.engine.connect() as conn:
            return await work(conn)
    finally:
        await database.dispose()


class Waiting(Protocol):
    """A row not done yet, as an operator sees it."""

    @property
    def next_attempt_at(self) -> datetime: ...

    @property
    def last_error(self) -> str | None: ...


@dataclass(frozen=True)
class WaitingTable:
    """How a list of rows not done yet is laid out: its line, its headings, how much of an error it keeps."""

    line: str
    headings: tuple[str, ...]
    error_width: int

    def show(self, rows: Sequence[W], cells: Callable[[W], Sequence[object]], *, none: str) -> None:
        """Print the rows, each line ending in its next attempt and last error, or `none` when there are none."""
        if not rows:
            print(none)
            return
        print(self.line.format(*self.headings, "next attempt / last error"))
        for row in rows:
            error = (row.last_error or "").replace("\n", " ")[: self.error_width]
            when = row.next_attempt_at.isoformat(timespec="seconds")
            print(self.line.format(*cells(row), f"{when} {error}"))


_OUTBOX_ROWS = WaitingTable(
    line="{:>8}  {:8} {:>8}  {:12} {:24} {:36}  {}",
    headings=("id", "status", "attempts", "subscriber", "event", "case"),
    error_width=100,
)


def requeue_status(ids: Collection[object] | None, count: int, *, unknown: str) -> int:
    """A requeue's exit status: 1, with `unknown` said, when fewer rows were requeued than ids were named."""
    if ids and count < len(set(ids)):
        print(unknown, file=sys.stderr)
        return 1
    return 0


async def _list(args: argparse.Namespace, settings_of: SettingsOf, tables_of: TablesOf) -> int:
    from services.common.events import store

    rows = await on_database(
        settings_of(args.service).resolved_database_url(),
        lambda conn: store.undelivered(conn, tables_of(args.service), parked_only=args.parked, limit=args.limit),
    )
    _OUTBOX_ROWS.show(
        rows,
        lambda row: (row.seq, row.status, row.attempts, row.subscriber, row.event_type, row.case_key),
        none=f"{args.service}: no {'parked' if args.parked else 'undelivered'} outbox rows",
    )
    return 0


async def _requeue(args: argparse.Namespace, settings_of: SettingsOf, tables_of: TablesOf) -> int:
    if args.subscriber and not args.all_parked:
        print("error: --subscriber goes with --all-parked", file=sys.stderr)
        return 2
    from services.common.events import store

    count = await on_database(
        settings_of(args.service).resolved_database_url(),
        lambda conn: store.requeue_parked(
            conn, tables_of(args.service), now=datetime.now(UTC), subscriber=args.subscriber, seqs=args.ids
        ),
        writes=True,
    )
    print(f"{args.service}: requeued {count} parked outbox row{'' if count == 1 else 's'}")
    return requeue_status(
        args.ids, count, unknown="some ids named no parked row (see `zerovisit outbox list --parked`)"
    )
