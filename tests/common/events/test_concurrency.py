"""Several relays share one outbox safely; a relay outlives a database that is not there."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

import httpx
import pytest

from services.common.clock import FixedClock
from services.common.db import Database
from services.common.events import Relay
from tests.common.events.conftest import METADATA, RECEIVER, SECRET, SOURCE, TABLES, Wire, effects, publish_thing

CASES = 100
EVENTS_PER_CASE = 2
ROUNDS_IN_FLIGHT = 2


def _relay(database: Database, client: httpx.AsyncClient, clock: FixedClock, name: str) -> Relay:
    return Relay(
        database,
        TABLES,
        [RECEIVER],
        client,
        clock=clock,
        batch_size=5,
        max_attempts=3,
        backoff_base_seconds=1,
        backoff_max_seconds=60,
        name=name,
        source=SOURCE,
        secret=SECRET,
    )


async def _drain(relay: Relay) -> int:
    # Stops only when nothing is pending: a round that finds nothing may just have lost every row to the
    # other relay, or to the order of a case.
    delivered = 0
    for _ in range(1000):
        count = await relay.run_once()
        delivered += count
        if count == 0 and await relay.pending_count() == 0:
            return delivered
        await asyncio.sleep(0)
    raise AssertionError("the outbox never drained")


async def _eventually(condition: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(1000):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_two_relays_on_separate_engines_never_send_a_row_twice(
    database: Database, database_url: str, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    published: dict[str, list[str]] = defaultdict(list)
    for round_ in range(EVENTS_PER_CASE):
        for case in range(CASES):
            envelope = await publish_thing(database, case_key=f"case-{case}", note=str(round_))
            published[f"case-{case}"].append(str(envelope.id))
    other = Database.connect(database_url)
    relay_a = _relay(database, client, clock, "relay-a")
    relay_b = _relay(other, client, clock, "relay-b")
    try:
        # Each relay also runs rounds side by side, as a replica with a short interval would: more claims
        # in flight at once, more chances for a row to be taken twice if claiming were not exclusive.
        shares = await asyncio.gather(*(_drain(relay) for relay in (relay_a, relay_b) * ROUNDS_IN_FLIGHT))
    finally:
        await other.dispose()

    assert shares[0] and shares[1], "both relays took part"
    assert sum(shares) == CASES * EVENTS_PER_CASE
    assert len(wire.deliveries) == CASES * EVENTS_PER_CASE
    assert set(wire.deliveries.values()) == {1}
    applied: dict[str, list[str]] = defaultdict(list)
    for event_id, case_key in await effects(database):
        applied[case_key].append(event_id)
    # Each case's events arrived in the order they were published.
    assert applied == published


async def test_the_relay_loop_survives_a_missing_outbox_and_delivers_once_it_exists(
    database: Database,
    client: httpx.AsyncClient,
    clock: FixedClock,
    wire: Wire,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with database.engine.begin() as conn:
        await conn.run_sync(METADATA.drop_all)
    relay = _relay(database, client, clock, "relay-loop")
    task = asyncio.create_task(relay.run_forever(interval_seconds=0.01))

    async def logged_an_error() -> bool:
        return any(record.levelno == logging.ERROR for record in caplog.records)

    async def drained() -> bool:
        return await relay.pending_count() == 0

    try:
        await _eventually(logged_an_error)
        assert not task.done()
        async with database.engine.begin() as conn:
            await conn.run_sync(METADATA.create_all)
        envelope = await publish_thing(database, case_key="case-1")
        await _eventually(drained)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    assert wire.deliveries == {str(envelope.id): 1}
    assert "round failed" in caplog.text
