"""Retention: delivered outbox rows and inbox rows are deleted once they are older than a setting.

An inbox row is what turns a redelivery into a duplicate, so it must outlive every redelivery a
publisher could still make. A publisher redelivers an event only until it records the delivery: after
a lost answer, one more attempt (at most the relay's longest backoff, 300 s by default) finds the
duplicate and settles it. Retention is days (14 by default), far above that window; rows a publisher
has parked are kept until an operator requeues them, and a parked event was refused, never applied.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import Delete, Table, delete, select

from services.common.db import Database
from services.common.events.tables import DELIVERED


async def prune_delivered(database: Database, outbox: Table, *, before: datetime, batch_size: int) -> int:
    """Delete outbox rows delivered before a moment, one short transaction per batch; returns how many."""
    oldest = (
        select(outbox.c.seq)
        .where(outbox.c.status == DELIVERED, outbox.c.delivered_at < before)
        .order_by(outbox.c.seq)
        .limit(batch_size)
    )
    return await _delete_in_batches(database, delete(outbox).where(outbox.c.seq.in_(oldest)), batch_size)


async def prune_inbox(database: Database, inbox: Table, *, before: datetime, batch_size: int) -> int:
    """Delete inbox rows received before a moment, one short transaction per batch; returns how many."""
    oldest = (
        select(inbox.c.event_id).where(inbox.c.received_at < before).order_by(inbox.c.received_at).limit(batch_size)
    )
    return await _delete_in_batches(database, delete(inbox).where(inbox.c.event_id.in_(oldest)), batch_size)


async def _delete_in_batches(database: Database, statement: Delete, batch_size: int) -> int:
    total = 0
    while True:
        # Small transactions: a long delete would hold locks that deliveries and the relay's claims wait on.
        async with database.engine.begin() as conn:
            deleted = (await conn.execute(statement)).rowcount
        total += deleted
        if deleted < batch_size:
            return total
        await asyncio.sleep(0)  # let requests run between batches


async def prune(
    database: Database, *, outbox: Table | None, inbox: Table, now: datetime, retention_days: int, batch_size: int
) -> tuple[int, int]:
    """Prune both tables of a service (a service that publishes nothing has no outbox); returns the counts."""
    before = now - timedelta(days=retention_days)
    delivered = 0 if outbox is None else await prune_delivered(database, outbox, before=before, batch_size=batch_size)
    return delivered, await prune_inbox(database, inbox, before=before, batch_size=batch_size)
