"""Wake-ups across processes: PostgreSQL NOTIFYs when outbox rows are committed, a relay elsewhere LISTENs.

A trigger on outbox_message (see the migrations) notifies the channel once per inserting statement; the
notification is delivered only when the transaction commits, so a relay woken by it finds the rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.db import Database
from services.common.events.relay import Relay

logger = logging.getLogger("zerovisit.events.listener")

CHANNEL = "zerovisit_outbox"
# How often a listening connection is checked for having been lost without a word (a server that vanished).
CHECK_SECONDS = 10


async def listen_for_outbox(engine: AsyncEngine, on_commit: Callable[[], None], *, retry_seconds: float = 5) -> None:
    """Call `on_commit` whenever outbox rows are committed, until cancelled; reconnect after a lost connection.

    Only a nudge, like the in-process one: the relay polls regardless, which covers the gaps while not
    listening. Each (re)connection calls `on_commit` once for whatever was committed in such a gap.
    """
    while True:
        try:
            async with engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection  # asyncpg.Connection
                await driver.add_listener(CHANNEL, lambda *_: on_commit())
                logger.info("listening for outbox commits on %s", CHANNEL)
                on_commit()
                while not driver.is_closed():
                    await asyncio.sleep(CHECK_SECONDS)
                    await driver.execute("SELECT 1")  # raises once the server has gone
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("not listening for outbox commits (%r); trying again in %.0f s", exc, retry_seconds)
        await asyncio.sleep(retry_seconds)


async def serve_relay(relay: Relay, database: Database, interval_seconds: float) -> None:
    """Run a relay until it is stopped; on PostgreSQL, woken by commits to the outbox from any process."""
    listener = None
    if database.engine.dialect.name == "postgresql":
        listener = asyncio.create_task(listen_for_outbox(database.engine, relay.wake))
    try:
        await relay.run_forever(interval_seconds)
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


def install_notify_trigger(op: Any) -> None:
    """In a migration (`op` is alembic's): make commits to the outbox notify; nothing on SQLite (no NOTIFY)."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in CREATE_NOTIFY_TRIGGER:
            op.execute(statement)


def remove_notify_trigger(op: Any) -> None:
    """In a migration's downgrade: undo install_notify_trigger."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in DROP_NOTIFY_TRIGGER:
            op.execute(statement)


# The statements of the trigger, for the migrations of a service that publishes events.
CREATE_NOTIFY_TRIGGER = (
    f"""
    CREATE OR REPLACE FUNCTION outbox_message_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL}', '');
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER outbox_message_notify AFTER INSERT ON outbox_message
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_message_notify()
    """,
)
DROP_NOTIFY_TRIGGER = (
    "DROP TRIGGER IF EXISTS outbox_message_notify ON outbox_message",
    "DROP FUNCTION IF EXISTS outbox_message_notify()",
)
