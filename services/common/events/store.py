"""Outbox queries: a relay's (claim under a lease, record outcomes, count) and an operator's (list, requeue)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.events.tables import PARKED, PENDING, EventTables


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


@dataclass(frozen=True)
class Outcome:
    """What a round decided for one claimed row."""

    seq: int
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Lease:
    """One claim of due rows: when, until when they are held, under which token, how many per subscriber."""

    now: datetime
    locked_until: datetime
    token: str
    limit: int
    skip_locked: bool  # PostgreSQL: pass over rows another relay is claiming at this moment


async def claim(
    conn: AsyncConnection, tables: EventTables, *, subscribers: Collection[str], lease: Lease
) -> list[ClaimedRow]:
    """Lease the oldest due rows of each subscriber whose case has no earlier pending row; call in a transaction.

    Each subscriber's rows are looked up on their own: one subscriber's pending rows come out of the
    (subscriber, status, seq) index already in order, so the lookup stops after `limit` rows however long
    the backlog, where a lookup over several subscribers would have to read and sort every pending row.
    """
    claimed: list[ClaimedRow] = []
    for subscriber in sorted(subscribers):
        claimed += await _claim_for(conn, tables, subscriber, lease)
    return sorted(claimed, key=lambda row: row.seq)


async def _claim_for(conn: AsyncConnection, tables: EventTables, subscriber: str, held: Lease) -> list[ClaimedRow]:
    now = held.now
    candidate = tables.outbox.alias("candidate")
    earlier = tables.outbox.alias("earlier")
    # An earlier pending row of the same case, leased or backing off or not, holds every later one back:
    # that is what keeps per-case order when several relays run.
    blocked = exists().where(
        earlier.c.subscriber == candidate.c.subscriber,
        earlier.c.case_key == candidate.c.case_key,
        earlier.c.seq < candidate.c.seq,
        earlier.c.status == PENDING,
    )
    due = (
        select(candidate.c.seq)
        .where(
            candidate.c.subscriber == subscriber,
            candidate.c.status == PENDING,
            candidate.c.next_attempt_at <= now,
            candidate.c.locked_until.is_(None) | (candidate.c.locked_until < now),
            ~blocked,
        )
        .order_by(candidate.c.seq)
        .limit(held.limit)
    )
    outbox = tables.outbox
    lease = update(outbox).values(locked_until=held.locked_until, claim_token=held.token)
    if held.skip_locked:
        # PostgreSQL: rows another relay is claiming right now are skipped, not waited for; a row it has
        # already leased fails the locked_until test when re-read after its commit.
        seqs = (await conn.execute(due.with_for_update(skip_locked=True))).scalars().all()
        if not seqs:
            return []
        lease = lease.where(outbox.c.seq.in_(seqs))
    else:
        # SQLite: one UPDATE takes the write lock before it reads, so two claims cannot interleave.
        lease = lease.where(outbox.c.seq.in_(due))
    returning = lease.returning(
        outbox.c.seq,
        outbox.c.event_id,
        outbox.c.subscriber,
        outbox.c.event_type,
        outbox.c.case_key,
        outbox.c.body,
        outbox.c.attempts,
    )
    return [ClaimedRow(*row) for row in (await conn.execute(returning)).all()]


async def record(conn: AsyncConnection, tables: EventTables, outcomes: Sequence[Outcome], token: str) -> None:
    """Store outcomes and end the lease, for rows that are still leased under this token."""
    if not outcomes:
        return
    outbox = tables.outbox
    statement = (
        update(outbox)
        # A row whose lease ran out may have been claimed again; the newer claim owns it now.
        .where(outbox.c.seq == bindparam("b_seq"), outbox.c.claim_token == token)
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempts"),
            next_attempt_at=bindparam("b_next_attempt_at", type_=outbox.c.next_attempt_at.type),
            last_error=bindparam("b_last_error"),
            delivered_at=bindparam("b_delivered_at", type_=outbox.c.delivered_at.type),
            locked_until=None,
            claim_token=None,
        )
    )
    params = [
        {
            "b_seq": outcome.seq,
            "b_status": outcome.status,
            "b_attempts": outcome.attempts,
            "b_next_attempt_at": outcome.next_attempt_at,
            "b_last_error": outcome.last_error,
            "b_delivered_at": outcome.delivered_at,
        }
        for outcome in outcomes
    ]
    await conn.execute(statement, params)


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
    statement = (
        update(outbox)
        .where(outbox.c.status == PARKED)
        .values(status=PENDING, attempts=0, next_attempt_at=now, locked_until=None, claim_token=None)
    )
    if subscriber is not None:
        statement = statement.where(outbox.c.subscriber == subscriber)
    if seqs is not None:
        statement = statement.where(outbox.c.seq.in_(seqs))
    return (await conn.execute(statement)).rowcount


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
    outbox = tables.outbox
    statuses = (PARKED,) if parked_only else (PENDING, PARKED)
    statement = (
        select(
            outbox.c.seq,
            outbox.c.status,
            outbox.c.subscriber,
            outbox.c.event_type,
            outbox.c.event_id,
            outbox.c.case_key,
            outbox.c.attempts,
            outbox.c.next_attempt_at,
            outbox.c.last_error,
        )
        .where(outbox.c.status.in_(statuses))
        .order_by(outbox.c.seq)
        .limit(limit)
    )
    return [UndeliveredRow(*row) for row in (await conn.execute(statement)).all()]


async def count_status(conn: AsyncConnection, tables: EventTables, status: str) -> int:
    """How many outbox rows are in a status."""
    statement = select(func.count()).select_from(tables.outbox).where(tables.outbox.c.status == status)
    return int((await conn.execute(statement)).scalar_one())
