"""Tables of rows worked off under a lease, as the event outbox is.

Such a table has a key column, status, attempts, next_attempt_at, last_error, locked_until, claim_token
and a column for the time of delivery. A worker claims due rows for a while under a token of its own,
tries them, and records each outcome; an outcome sticks only while its row is still leased under that token.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Row, Select, Table, and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

# Pending and parked as in the event outbox; what counts as done is each table's own (delivered, sent).
from services.common.events.tables import PARKED, PENDING


@dataclass(frozen=True)
class Lease:
    """One claim of due rows: when, until when they are held, under which token, how many."""

    now: datetime
    locked_until: datetime
    token: str
    limit: int
    skip_locked: bool  # PostgreSQL: pass over rows another worker is claiming at this moment


@dataclass(frozen=True)
class Outcome:
    """What a round decided for one claimed row, named by its key."""

    key: Any
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None = None
    delivered_at: datetime | None = None


def is_due(rows: FromClause, now: datetime) -> ColumnElement[bool]:
    """Pending, its next attempt come, and not leased (or its lease run out)."""
    return and_(
        rows.c.status == PENDING,
        rows.c.next_attempt_at <= now,
        rows.c.locked_until.is_(None) | (rows.c.locked_until < now),
    )


async def claim(
    conn: AsyncConnection, table: Table, *, key: str, due: Select[Any], lease: Lease, columns: Iterable[str]
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Lease the rows whose keys `due` selects and return their columns; call in a transaction."""
    leased = update(table).values(locked_until=lease.locked_until, claim_token=lease.token)
    if lease.skip_locked:
        # PostgreSQL: rows another worker is claiming right now are passed over, not waited for; a row it has
        # already leased fails the locked_until test when re-read after its commit.
        keys = (await conn.execute(due.with_for_update(skip_locked=True))).scalars().all()
        if not keys:
            return []
        leased = leased.where(table.c[key].in_(keys))
    else:
        # SQLite: one UPDATE takes the write lock before it reads, so two claims cannot interleave.
        leased = leased.where(table.c[key].in_(due))
    return (await conn.execute(leased.returning(*(table.c[name] for name in columns)))).all()


async def record(
    conn: AsyncConnection, table: Table, outcomes: Sequence[Outcome], token: str, *, key: str, delivered_at: str
) -> None:
    """Store outcomes and end the lease, for rows that are still leased under this token.

    `key` and `delivered_at` name the table's columns for an outcome's key and time of delivery.
    """
    if not outcomes:
        return
    statement = (
        update(table)
        # A row whose lease ran out may have been claimed again; the newer claim owns it now.
        .where(table.c[key] == bindparam("b_key"), table.c.claim_token == token)
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempts"),
            next_attempt_at=bindparam("b_next_attempt_at", type_=table.c.next_attempt_at.type),
            last_error=bindparam("b_last_error"),
            **{delivered_at: bindparam("b_delivered_at", type_=table.c[delivered_at].type)},
            locked_until=None,
            claim_token=None,
        )
    )
    params = [
        {
            "b_key": outcome.key,
            "b_status": outcome.status,
            "b_attempts": outcome.attempts,
            "b_next_attempt_at": outcome.next_attempt_at,
            "b_last_error": outcome.last_error,
            "b_delivered_at": outcome.delivered_at,
        }
        for outcome in outcomes
    ]
    await conn.execute(statement, params)


async def requeue_parked(conn: AsyncConnection, table: Table, *which: ColumnElement[bool], now: datetime) -> int:
    """Give parked rows (those `which` picks, or all) a fresh series of attempts, from now; how many."""
    statement = (
        update(table)
        .where(table.c.status == PARKED, *which)
        .values(status=PENDING, attempts=0, next_attempt_at=now, locked_until=None, claim_token=None)
    )
    return (await conn.execute(statement)).rowcount


async def waiting(
    conn: AsyncConnection,
    table: Table,
    *,
    columns: Iterable[str],
    oldest_first: Sequence[ColumnElement[Any]],
    parked_only: bool,
    limit: int,
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The oldest rows not done (pending and parked, or parked only), oldest first: for an operator."""
    statuses = (PARKED,) if parked_only else (PENDING, PARKED)
    statement = (
        select(*(table.c[name] for name in columns))
        .where(table.c.status.in_(statuses))
        .order_by(*oldest_first)
        .limit(limit)
    )
    return (await conn.execute(statement)).all()


async def count_status(conn: AsyncConnection, table: Table, status: str) -> int:
    """How many rows are in a status."""
    statement = select(func.count()).select_from(table).where(table.c.status == status)
    return int((await conn.execute(statement)).scalar_one())
