"""Publishing: an event becomes outbox rows in the same transaction as the change it describes."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import Insert, Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.common.events.envelope import EventEnvelope, EventPayload
from services.common.events.tables import PENDING, EventTables
from services.common.settings import Subscriber

# Set in session.info by publish: the app wakes its relay when that session's transaction commits.
PUBLISHED = "zerovisit.events.published"


def topic_matches(topics: Iterable[str], event_type: str) -> bool:
    """Whether a subscription ("*", an exact type, or a prefix such as "job.*") covers an event type."""
    for topic in topics:
        if topic in ("*", event_type):
            return True
        if topic.endswith(".*") and event_type.startswith(topic[:-1]):
            return True
    return False


@dataclass(frozen=True)
class Queued:
    """An event ready to be written to the outbox: one row per subscriber whose topics match."""

    envelope: EventEnvelope
    body: str  # serialised once: the stored text is exactly what is signed and POSTed, on every retry
    subscribers: list[str]
    now: datetime

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The outbox rows, one per subscriber."""
        return [
            {
                "event_id": str(self.envelope.id),
                "subscriber": subscriber,
                "event_type": self.envelope.type,
                "case_key": self.envelope.case_key,
                "body": self.body,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": self.now,
                "created_at": self.now,
            }
            for subscriber in self.subscribers
        ]


def queue(
    payload: EventPayload, *, case_key: str, source: str, subscribers: Sequence[Subscriber], now: datetime
) -> Queued:
    """An event and the subscribers it goes to, not yet written."""
    envelope = EventEnvelope(
        id=uuid4(),
        type=payload.event_type,
        version=payload.version,
        occurred_at=now,
        case_key=case_key,
        source=source,
        data=payload.model_dump(mode="json"),
    )
    names = [subscriber.name for subscriber in subscribers if topic_matches(subscriber.topics, envelope.type)]
    return Queued(envelope, envelope.model_dump_json(), names, now)


async def publish(
    session: AsyncSession,
    tables: EventTables,
    payload: EventPayload,
    *,
    case_key: str,
    source: str,
    subscribers: Sequence[Subscriber],
    now: datetime,
) -> EventEnvelope:
    """Queue an event for every subscriber whose topics match; only inserts, the caller commits."""
    queued = queue(payload, case_key=case_key, source=source, subscribers=subscribers, now=now)
    await publish_queued(session, tables, queued)
    return queued.envelope


async def publish_queued(session: AsyncSession, tables: EventTables, queued: Queued) -> None:
    """Write a queued event's outbox rows in the session's transaction; its commit wakes the relay."""
    if queued.subscribers:
        await write(await session.connection(), tables, queued)
        session.info[PUBLISHED] = True


async def write(connection: AsyncConnection, tables: EventTables, queued: Queued) -> None:
    """Insert a queued event's outbox rows on the connection given, in its transaction."""
    if queued.subscribers:
        # A Core executemany of a statement built once: neither an ORM flush nor building a statement.
        await connection.execute(_insert(tables.outbox), queued.rows)


@functools.cache
def _insert(outbox: Table) -> Insert:
    return insert(outbox)
