"""Delivered outbox rows and inbox rows are deleted after the retention period, in small batches."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import insert, update

from services.common.clock import FixedClock
from services.common.db import Database
from services.common.events import retention
from services.common.settings import ServiceSettings
from tests.common.events.conftest import (
    SOURCE,
    T0,
    TABLES,
    deliver_signed,
    effects,
    inbox_count,
    outbox_rows,
    publish_thing,
    thing_envelope,
)

DAYS = 14


async def _deliver_rows(database: Database, seqs: list[int], *, at: datetime) -> None:
    outbox = TABLES.outbox
    async with database.engine.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.seq.in_(seqs)).values(status="delivered", delivered_at=at))


async def _prune(database: Database, clock: FixedClock, *, batch_size: int = 2) -> tuple[int, int]:
    return await retention.prune(
        database, outbox=TABLES.outbox, inbox=TABLES.inbox, now=clock.now(), retention_days=DAYS, batch_size=batch_size
    )


async def test_delivered_rows_older_than_the_retention_are_deleted_and_the_others_kept(
    database: Database, clock: FixedClock
) -> None:
    for case in range(7):
        await publish_thing(database, case_key=f"case-{case}")
    seqs = [row["seq"] for row in await outbox_rows(database)]
    await _deliver_rows(database, seqs[:5], at=T0)  # five delivered long ago, in three batches of two
    await _deliver_rows(database, seqs[5:6], at=T0 + timedelta(days=DAYS))  # one delivered recently
    async with database.engine.begin() as conn:  # one parked: it waits for an operator however old
        await conn.execute(update(TABLES.outbox).where(TABLES.outbox.c.seq == seqs[6]).values(status="parked"))
    clock.advance(timedelta(days=DAYS, hours=1))

    assert await _prune(database, clock) == (5, 0)

    left = [(row["seq"], row["status"]) for row in await outbox_rows(database)]
    assert left == [(seqs[5], "delivered"), (seqs[6], "parked")]


async def test_pending_rows_are_never_pruned(database: Database, clock: FixedClock) -> None:
    await publish_thing(database, case_key="case-1")
    clock.advance(timedelta(days=10 * DAYS))

    assert await _prune(database, clock) == (0, 0)
    assert len(await outbox_rows(database)) == 1


async def test_inbox_rows_older_than_the_retention_are_deleted_and_recent_ones_kept(
    database: Database, clock: FixedClock
) -> None:
    received = {"old-0": T0, "old-1": T0, "old-2": T0, "recent": T0 + timedelta(days=DAYS)}
    rows = [
        {"event_id": event_id, "event_type": "thing.happened", "source": SOURCE, "received_at": at}
        for event_id, at in received.items()
    ]
    async with database.engine.begin() as conn:
        await conn.execute(insert(TABLES.inbox), rows)
    clock.advance(timedelta(days=DAYS, hours=1))

    assert await _prune(database, clock) == (0, 3)
    assert await inbox_count(database) == 1


async def test_a_redelivery_within_the_retention_is_still_a_duplicate_after_pruning(
    receiver: FastAPI, database: Database, clock: FixedClock
) -> None:
    envelope = thing_envelope(clock)
    body = envelope.model_dump_json().encode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver), base_url="http://r") as http:
        assert (await deliver_signed(http, body, str(envelope.id), clock)).json() == {"status": "applied"}
        clock.advance(timedelta(days=DAYS) - timedelta(minutes=1))
        await _prune(database, clock)
        again = await deliver_signed(http, body, str(envelope.id), clock)

    assert again.json() == {"status": "duplicate"}
    assert len(await effects(database)) == 1


def test_the_default_retention_is_far_longer_than_a_publishers_retries() -> None:
    """A publisher stops redelivering once one attempt gets through: at worst its longest backoff after a lost answer.

    Even a publisher that retried to its last attempt, every backoff at its longest, is done well inside the
    retention, so an inbox row outlives every redelivery of its event.
    """
    settings = ServiceSettings()
    longest_retrying = timedelta(seconds=settings.relay_max_attempts * settings.relay_backoff_max_seconds)
    assert timedelta(days=settings.events_retention_days) > 100 * longest_retrying


def test_a_retention_shorter_than_ten_series_of_retries_is_refused() -> None:
    with pytest.raises(ValidationError, match="events_retention_days"):
        ServiceSettings(events_retention_days=1, relay_max_attempts=12, relay_backoff_max_seconds=3600)
