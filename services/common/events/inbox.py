"""Receiving: verify a delivery, then record its id and apply it in one transaction, once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from services.common.db import Database
from services.common.errors import Conflict, ProblemError, Unprocessable, is_database_outage
from services.common.events.envelope import EventEnvelope
from services.common.events.signing import verify
from services.common.events.tables import EventTables

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


def _insert_once(tables: EventTables, dialect: str) -> Insert:
    # ON CONFLICT DO NOTHING waits for a concurrent delivery of the same id to commit or roll back, so
    # a race ends as a clean duplicate instead of a failed transaction.
    if dialect == "postgresql":
        return postgresql.insert(tables.inbox).on_conflict_do_nothing(index_elements=["event_id"])
    if dialect == "sqlite":
        return sqlite.insert(tables.inbox).on_conflict_do_nothing(index_elements=["event_id"])
    return insert(tables.inbox)


async def apply_event(
    session: AsyncSession,
    tables: EventTables,
    handlers: EventHandlers,
    envelope: EventEnvelope,
    *,
    now: datetime,
    context: Any = None,
) -> str:
    """Record an event in the inbox and run its handler: "applied", "ignored" or "duplicate"."""
    statement = _insert_once(tables, session.get_bind().dialect.name).values(
        event_id=str(envelope.id), event_type=envelope.type, source=envelope.source, received_at=now
    )
    try:
        inserted = (await session.execute(statement.returning(tables.inbox.c.event_id))).first()
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


def make_events_router(tables: EventTables, handlers: EventHandlers) -> APIRouter:
    """The signed POST /internal/events endpoint that a service's subscribers deliver to."""
    router = APIRouter()

    @router.post("/internal/events", include_in_schema=False)
    async def receive_event(request: Request) -> dict[str, str]:
        state = request.app.state
        body = await request.body()
        message_id = verify(
            state.settings.events_secret,
            request.headers,
            body,
            now=state.clock.now(),
            tolerance_seconds=state.settings.events_tolerance_seconds,
        )
        try:
            envelope = EventEnvelope.model_validate_json(body)
        except ValidationError as exc:
            raise Unprocessable("The body is not an event envelope.") from exc
        if str(envelope.id) != message_id:
            raise Unprocessable("The webhook-id header does not name the event in the body.")
        database: Database = state.database
        # One transaction: the inbox row and the handler's changes commit together or not at all.
        async with database.sessionmaker() as session, session.begin():
            status = await apply_event(
                session, tables, handlers, envelope, now=state.clock.now(), context=state.service
            )
        return {"status": status}

    return router
