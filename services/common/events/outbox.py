"""Publishing: an event becomes outbox rows in the same transaction as the change it describes."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import uuid4

from sqlalchemy import Insert, Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

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
    envelope = EventEnvelope(
        id=uuid4(),
        type=payload.event_type,
        version=payload.version,
        occurred_at=now,
        case_key=case_key,
        source=source,
        data=payload.model_dump(mode="json"),
    )
    # Serialised once: the stored text is exactly what is signed and POSTed, on every retry.
    body = envelope.model_dump_json()
    rows = [
        {
            "event_id": str(envelope.id),
            "subscriber": subscriber.name,
            "event_type": envelope.type,
            "case_key": case_key,
            "body": body,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for subscriber in subscribers
        if topic_matches(subscriber.topics, envelope.type)
    ]
    if rows:
        # A Core executemany of a statement built once, on the connection of the session's transaction:
        # the submission path pays one round trip, and neither an ORM flush nor building a statement.
        connection = await session.connection()
        await connection.execute(_insert(tables.outbox), rows)
        session.info[PUBLISHED] = True
    return envelope


@functools.cache
def _insert(outbox: Table) -> Insert:
    return insert(outbox)
