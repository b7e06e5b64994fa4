"""Outbox queries: a relay's (claim under a lease, record outcomes, count) and an operator's (list, requeue)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common import leasing
from services.common.events.tables import PARKED, PENDING, EventTables
from services.common.leasing import Lease as Lease  # named here too: the relay claims with it
from services.common.leasing import Outcome as Outcome  # and records its rounds with it


@dataclass(frozen=True)
class ClaimedRow:
    """An outbox row leased to one relay for one round."""

    seq: int
    event_id: str
    subscriber: str
    event_type: str
    case_key: str
    body: str
    attempts: int


async def claim(
    conn: AsyncConnection, tables: EventTables, *, subscribers: Collection[str], lease: Lease
) -> list[ClaimedRow]:
    """Lease the oldest due rows of each subscriber whose case has no earlier undelivered row; call in a transaction.

    Each subscriber's rows are looked up on their own: one subscriber's pending rows come out of the
    (subscriber, status, seq) index already in order, so the lookup stops after `limit` rows however long
    the backlog, where a lookup over several subscribers would have to read and sort every pending row.
    """
    claimed: list[ClaimedRow] = []
    for subscriber in sorted(subscribers):
        claimed += await _claim_for(conn, tables, subscriber, lease)
    return sorted(claimed, key=lambda row: row.seq)


async def _claim_for(conn: AsyncConnection, tables: EventTables, subscriber: str, lease: Lease) -> list[ClaimedRow]:
    candidate = tables.outbox.alias("candidate")
    earlier = tables.outbox.alias("earlier")
    # An earlier undelivered row of the same case, leased or backing off or parked, holds every later one back:
    # that is what keeps per-case order when several relays run, and after a row is parked until it is requeued
    # (a pause delivered after the resume that followed it would leave the case paused for good).
    blocked = exists().where(
        earlier.c.subscriber == candidate.c.subscriber,
        earlier.c.case_key == candidate.c.case_key,
        earlier.c.seq < candidate.c.seq,
        earlier.c.status.in_((PENDING, PARKED)),
    )
    due = (
        select(candidate.c.seq)
        .where(candidate.c.subscriber == subscriber, leasing.is_due(candidate, lease.now), ~blocked)
        .order_by(candidate.c.seq)
        .limit(lease.limit)
    )
    rows = await leasing.claim(
        conn, tables.outbox, key="seq", due=due, lease=lease, columns=ClaimedRow.__dataclass_fields__
    )
    return [ClaimedRow(*row) for row in rows]


async def record(conn: AsyncConnection, tables: EventTables, outcomes: Sequence[Outcome], token: str) -> None:
    """Store outcomes and end the lease, for rows that are still leased under this token."""
    await leasing.record(conn, tables.outbox, outcomes, token, key="seq", delivered_at="delivered_at")


async def release(conn: AsyncConnection, tables: EventTables, seqs: Sequence[int], token: str) -> None:
    """End the lease of rows that were claimed but not sent, leaving them as they were."""
    if not seqs:
        return
    outbox = tables.outbox
    await conn.execute(
        update(outbox)
        .where(outbox.c.seq.in_(seqs), outbox.c.claim_token == token)
        .values(locked_until=None, claim_token=None)
    )


async def requeue_parked(
    conn: AsyncConnection,
    tables: EventTables,
    *,
    now: datetime,
    subscriber: str | None = None,
    seqs: Collection[int] | None = None,
) -> int:
    """Give parked rows (all, one subscriber's, or those named) a fresh series of attempts, from now; how many."""
    outbox = tables.outbox
    which = []
    if subscriber is not None:
        which.append(outbox.c.subscriber == subscriber)
    if seqs is not None:
        which.append(outbox.c.seq.in_(seqs))
    return await leasing.requeue_parked(conn, outbox, *which, now=now)


@dataclass(frozen=True)
class UndeliveredRow:
    """An outbox row as an operator sees it: what, for whom, how it stands and why."""

    seq: int
    status: str
    subscriber: str
    event_type: str
    event_id: str
    case_key: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


async def undelivered(
    conn: AsyncConnection, tables: EventTables, *, parked_only: bool, limit: int
) -> list[UndeliveredRow]:
    """The oldest rows not delivered (pending and parked, or parked only), oldest first."""
    rows = await leasing.waiting(
        conn,
        tables.outbox,
        columns=UndeliveredRow.__dataclass_fields__,
        oldest_first=[tables.outbox.c.seq],
        parked_only=parked_only,
        limit=limit,
    )
    return [UndeliveredRow(*row) for row in rows]


async def count_status(conn: AsyncConnection, tables: EventTables, status: str) -> int:
    """How many outbox rows are in a status."""
    return await leasing.count_status(conn, tables.outbox, status)
