"""Receiving: verify a delivery, then record its id and apply it in one transaction, once."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from services.common.db import insert_unless_present
from services.common.errors import Conflict, Forbidden, ProblemError, Unauthorized, Unprocessable, is_database_outage
from services.common.events.envelope import EventEnvelope
from services.common.events.outbox import topic_matches
from services.common.events.signing import source_of, verify
from services.common.settings import ServiceSettings

if TYPE_CHECKING:
    # Only for the annotation: the state module itself builds on this package.
    pass

logger = logging.getLogger("zerovisit.events.inbox")

# A handler gets the receiving app's typed state (services.common.state.ServiceState) as its third argument.
EventHandler = Callable[[AsyncSession, EventEnvelope, Any], Awaitable[None]]


class EventHandlers:
    """Which handler applies which event type."""

    def __init__(self) -> None:
        self._handlers: dict[str, EventHandler] = {}

    def on(self, event_type: str) -> Callable[[EventHandler], EventHandler]:
        """Register the decorated function as the one handler of an event type."""

        def register(handler: EventHandler) -> EventHandler:
            if event_type in self._handlers:
                raise ValueError(f"a handler for {event_type} is already registered")
            self._handlers[event_type] = handler
            return handler

        return register

    def get(self, event_type: str) -> EventHandler | None:
        """The handler of an event type, if there is one."""
        return self._handlers.get(event_type)

    def types(self) -> list[str]:
        """Every event type with a handler."""
        return sorted(self._handlers)


class EventNotAllowed(Forbidden, slug="event-not-allowed", title="Event type not allowed from this source"):
    """A correctly signed event of a type its source may not send (a publisher forging another's event)."""


@functools.cache
def _insert_once(inbox: Table, dialect: str) -> Insert:
    # A delivery racing another of the same id ends as a clean duplicate. Built once per inbox, sent with each
    # event's values as parameters (cheaper than a statement built for every event).
    return insert_unless_present(inbox, dialect, key=["event_id"]).returning(inbox.c.event_id)


def clashed() -> Conflict:
    """409 for an event whose rows clash with rows a change made meanwhile: its delivery is tried again later."""
    return Conflict("The event clashed with a change made at the same time; it will be delivered again.")


async def apply_event(
    session: AsyncSession,
    inbox: Table,
    handlers: EventHandlers,
    envelope: EventEnvelope,
    *,
    now: datetime,
    context: Any = None,
) -> str:
    """Record an event in the inbox and run its handler: "applied", "ignored" or "duplicate"."""
    statement = _insert_once(inbox, session.get_bind().dialect.name)
    values = {"event_id": str(envelope.id), "event_type": envelope.type, "source": envelope.source, "received_at": now}
    try:
        # On the session's connection, not through the ORM: recording the event does not flush what earlier
        # events of a batch left pending, so their rows are written together when the batch commits.
        connection = await session.connection()
        inserted = (await connection.execute(statement, values)).first()
    except IntegrityError as exc:
        # Only on a backend without ON CONFLICT: the loser of a race retries later and finds a duplicate.
        raise Conflict("The event is being applied by another delivery; try again later.") from exc
    if inserted is None:
        return "duplicate"
    handler = handlers.get(envelope.type)
    if handler is None:
        # Recorded all the same, so the publisher stops sending what this service has no use for.
        return "ignored"
    try:
        await handler(session, envelope, context)
    except ProblemError:
        raise
    except Exception as exc:
        if is_database_outage(exc):
            raise  # answered 503: the publisher waits for the database to return, spending no attempt
        logger.exception("handler for %s failed on event %s", envelope.type, envelope.id)
        raise ProblemError("The event could not be applied; it will be delivered again.") from exc
    return "applied"


def verified_source(
    settings: ServiceSettings, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> tuple[str, str]:
    """The publisher of a delivery signed by a known source with its own secret, and the signed message id.

    401 for an unknown source or a bad or stale signature.
    """
    source = source_of(headers)
    secret = settings.events_sources.get(source)
    if secret is None:
        raise Unauthorized(f"Events from {source!r} are not accepted here.")
    return source, verify(secret, headers, body, now=now, tolerance_seconds=settings.events_tolerance_seconds)


def check_envelope(settings: ServiceSettings, source: str, envelope: EventEnvelope) -> None:
    """422 unless the envelope names the source that signed it; 403 for a type outside the source's allow-list."""
    if envelope.source != source:
        raise Unprocessable(f"The envelope names {envelope.source!r} as its source, but {source!r} signed it.")
    if not topic_matches(settings.events_topics.get(source, ()), envelope.type):
        raise EventNotAllowed(f"{source} may not send {envelope.type} events.", source=source, event_type=envelope.type)


def verified_envelope(
    settings: ServiceSettings, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> EventEnvelope:
    """The envelope of a single delivery, verified and checked (see verified_source and check_envelope).

    Also 422 for a body that is not the envelope signed for.
    """
    source, message_id = verified_source(settings, headers, body, now=now)
    try:
        envelope = EventEnvelope.model_validate_json(body)
    except ValidationError as exc:
        raise Unprocessable("The body is not an event envelope.") from exc
    if str(envelope.id) != message_id:
        raise Unprocessable("The webhook-id header does not name the event in the body.")
    check_envelope(settings, source, envelope)
    return envelope
