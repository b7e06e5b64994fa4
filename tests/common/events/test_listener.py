"""A relay in a process of its own hears of commits made elsewhere: by NOTIFY on PostgreSQL, by polling on SQLite."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.common.clock import FixedClock
from services.common.db import Database
from services.common.events import Relay
from services.common.events.listener import CREATE_NOTIFY_TRIGGER, serve_relay
from tests.common.events.conftest import RECEIVER, TABLES, Wire, publish_thing


class WatchedWire(Wire):
    """The wire, telling when anything has been delivered."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.delivered = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        self.delivered.set()
        return response


# On PostgreSQL the relay polls so rarely that only a notification can bring the event in time.
POLL_SECONDS = {"sqlite": 0.05, "postgresql": 600.0}


async def test_a_relay_of_its_own_delivers_what_another_engine_commits_at_once(
    database: Database, database_url: str, receiver: Any, clock: FixedClock
) -> None:
    backend = database.engine.dialect.name
    if backend == "postgresql":
        async with database.engine.begin() as connection:
            for statement in CREATE_NOTIFY_TRIGGER:
                await connection.exec_driver_sql(statement)
    wire = WatchedWire(receiver)
    client = httpx.AsyncClient(transport=wire)
    relay = Relay(
        database, TABLES, [RECEIVER], client, clock=clock, batch_size=10, max_attempts=3,
        backoff_base_seconds=1, backoff_max_seconds=60, name="relay-of-its-own",
    )  # fmt: skip
    serving = asyncio.create_task(serve_relay(relay, database, POLL_SECONDS[backend]))
    await asyncio.sleep(0.5)  # connected, listening, its first round done: now it waits

    elsewhere = Database.connect(database_url)  # another process's engine: its commits wake nothing here
    try:
        envelope = await publish_thing(elsewhere, case_key="case-1")
    finally:
        await elsewhere.dispose()
    try:
        await asyncio.wait_for(wire.delivered.wait(), timeout=5)
    finally:
        relay.stop()
        await asyncio.wait_for(serving, timeout=5)
        await client.aclose()
    assert wire.deliveries == {str(envelope.id): 1}
