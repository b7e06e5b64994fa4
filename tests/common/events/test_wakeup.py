"""A commit that published events wakes the relay at once; polling still delivers everything else."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from services.common.app import wake_relay_on_commit
from services.common.clock import FixedClock
from services.common.db import Database
from services.common.events import Relay, publish
from tests.common.events.conftest import RECEIVER, SECRET, SOURCE, T0, TABLES, ThingHappened, Wire, publish_thing

# Long enough that a delivery seen well before it cannot have come from polling.
POLL_SECONDS = 30.0


def _relay(database: Database, client: httpx.AsyncClient, clock: FixedClock) -> Relay:
    return Relay(
        database,
        TABLES,
        [RECEIVER],
        client,
        clock=clock,
        batch_size=10,
        max_attempts=3,
        backoff_base_seconds=1,
        backoff_max_seconds=60,
        name="relay-wakeup",
        source=SOURCE,
        secret=SECRET,
    )


async def _delivered(wire: Wire, event_id: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if wire.deliveries[event_id]:
            return True
        await asyncio.sleep(0.01)
    return False


async def test_a_committed_publication_is_delivered_without_waiting_for_the_poll(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    relay = _relay(database, client, clock)
    wake_relay_on_commit(database, relay)
    task = asyncio.create_task(relay.run_forever(POLL_SECONDS))
    try:
        await asyncio.sleep(0.1)  # the first (empty) round is over; the relay now waits out its interval
        envelope = await publish_thing(database, case_key="case-1")
        assert await _delivered(wire, str(envelope.id), within=5)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_after_a_rolled_back_publication_the_next_commit_still_wakes_the_relay(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    relay = _relay(database, client, clock)
    wake_relay_on_commit(database, relay)
    task = asyncio.create_task(relay.run_forever(POLL_SECONDS))
    try:
        await asyncio.sleep(0.1)
        with pytest.raises(RuntimeError):
            async with database.sessionmaker() as session, session.begin():
                await publish(
                    session,
                    TABLES,
                    ThingHappened(note="undone"),
                    case_key="case-1",
                    source="tests",
                    subscribers=[RECEIVER],
                    now=T0,
                )
                raise RuntimeError("the change fails after publishing")
        envelope = await publish_thing(database, case_key="case-2")
        assert await _delivered(wire, str(envelope.id), within=5)
        assert wire.calls == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_without_a_wake_up_the_relay_still_delivers_by_polling(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    relay = _relay(database, client, clock)
    task = asyncio.create_task(relay.run_forever(0.05))
    try:
        await asyncio.sleep(0.1)
        envelope = await publish_thing(database, case_key="case-1")
        assert await _delivered(wire, str(envelope.id), within=5)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
