"""The signed endpoints a service's subscribers deliver to: one event, or a batch of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError

from services.common.events.batch import BatchResults, apply_batch, parse_batch
from services.common.events.inbox import EventHandlers, apply_event, clashed, verified_envelope, verified_source

if TYPE_CHECKING:
    # Only for the annotation: the state module itself builds on this package.
    from services.common.state import ServiceState


def make_events_router(inbox: Table, handlers: EventHandlers) -> APIRouter:
    """The signed endpoints that a service's subscribers deliver to: one event, or a batch of them."""
    router = APIRouter()

    @router.post("/internal/events", include_in_schema=False)
    async def receive_event(request: Request) -> dict[str, str]:
        state: ServiceState = request.app.state.service
        envelope = verified_envelope(state.settings, request.headers, await request.body(), now=state.clock.now())
        # One transaction: the inbox row and the handler's changes commit together or not at all.
        try:
            async with state.database.sessionmaker() as session, session.begin():
                status = await apply_event(session, inbox, handlers, envelope, now=state.clock.now(), context=state)
        except IntegrityError as exc:
            raise clashed() from exc
        return {"status": status}

    @router.post("/internal/events/batch", include_in_schema=False)
    async def receive_batch(request: Request) -> BatchResults:
        state: ServiceState = request.app.state.service
        body = await request.body()
        source, _ = verified_source(state.settings, request.headers, body, now=state.clock.now())
        envelopes, refused = parse_batch(state.settings, source, body)
        results = await apply_batch(
            state.database, inbox, handlers, envelopes, now=state.clock.now(), context=state, refused=refused
        )
        return BatchResults(results=results)

    return router
