"""The parts every service app is built from: lifespan, state, error handling, health, events."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypedDict

import httpx
from fastapi import APIRouter, FastAPI
from sqlalchemy import Table, event
from sqlalchemy.orm import Session

from services.common import contract, health
from services.common.auth import TokenVerifier, build_verifier
from services.common.calendar import CalendarTables, LiveCalendar, WorkingDayCalendar
from services.common.clock import Clock, SystemClock
from services.common.db import Database
from services.common.docs import install_docs
from services.common.errors import install_problem_handlers
from services.common.events import EventPayload, EventTables, Relay, outbox, retention
from services.common.idempotency import Idempotency
from services.common.limits import BodySizeLimit, limits_by_route
from services.common.observability import install_observability
from services.common.rules import load_rule_book
from services.common.settings import ServiceSettings
from services.common.state import ServiceState

# How long a stopping service lets its relay finish the round under way before cutting it short.
STOP_SECONDS = 3

logger = logging.getLogger("zerovisit.app")

Startup = Callable[[FastAPI], Awaitable[None]]


class Overrides(TypedDict, total=False):
    """What a test or a tool may hand an app instead of what it would make itself."""

    clock: Clock | None
    http_client: httpx.AsyncClient | None
    # Counted with as it is, instead of the app's calendar tables.
    calendar: WorkingDayCalendar | None


@dataclass
class ServiceParts:
    """What one service brings to the common app skeleton."""

    title: str
    description: str
    routers: Sequence[APIRouter]
    openapi_tags: list[dict[str, Any]] = field(default_factory=list)
    startup: Sequence[Startup] = ()
    background: Sequence[Callable[[FastAPI], Coroutine[Any, Any, None]]] = ()
    # Periodic chores, cancelled at once when the app stops (background jobs get to finish their round).
    housekeeping: Sequence[Callable[[FastAPI], Coroutine[Any, Any, None]]] = ()
    published: Sequence[type[EventPayload]] = ()
    # The service's outbox and inbox, and its calendar tables: the app keeps its calendar in step with them.
    event_tables: EventTables | None = None
    # The inbox of a service that receives events but publishes none (else event_tables has it).
    inbox: Table | None = None
    calendar_tables: CalendarTables | None = None
    # The service's idempotency records, for POSTs that honour Idempotency-Key.
    idempotency_table: Table | None = None
    # What the fields and parameters of its OpenAPI document mean, where its models do not say.
    glossary: Mapping[str, contract.Term] = field(default_factory=dict)
    # Larger request bodies allowed on particular routes, by (method, route path such as
    # "/api/v1/jobs/{job_id}/evidence"); every other route gets 1 MiB.
    body_limits: Mapping[tuple[str, str], int] = field(default_factory=dict)


def create_service_app(
    settings: ServiceSettings,
    parts: ServiceParts,
    *,
    clock: Clock | None = None,
    http_client: httpx.AsyncClient | None = None,
    verifier: TokenVerifier | None = None,
    calendar: WorkingDayCalendar | None = None,
) -> FastAPI:
    """A FastAPI app whose lifespan owns the engine, the HTTP client and background tasks.

    A calendar passed in is counted with as it is; otherwise the app reads its calendar tables.
    """
    settings.refuse_development_secrets()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = state._database = Database.connect(settings.resolved_database_url())
        owns_client = http_client is None
        app.state.http = state._http = http_client or httpx.AsyncClient(timeout=httpx.Timeout(5.0))
        state.verifier = verifier
        if verifier is None and (settings.jwks_url or settings.jwks_file):
            state.verifier = build_verifier(
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                jwks_url=settings.jwks_url,
                jwks_file=settings.jwks_file,
                cache_seconds=settings.jwks_cache_seconds,
                client=state.http,
            )
        if state.calendar is not None:
            await state.calendar.start(state.database, state.clock)
        for step in parts.startup:
            await step(app)
        if state.verifier is None:
            raise RuntimeError(f"{settings.service_name}: set a JWKS URL or file to verify tokens.")
        freeze_startup_objects()
        tasks = [asyncio.create_task(job(app)) for job in parts.background]
        chores = [asyncio.create_task(job(app)) for job in parts.housekeeping]
        try:
            yield
        finally:
            relay = state.relay
            if isinstance(relay, Relay):
                # A round cut short would leave its rows leased, and their events late by a whole lease.
                relay.stop()
                await asyncio.wait(tasks, timeout=STOP_SECONDS)
            for task in tasks + chores:
                task.cancel()
            for task in tasks + chores:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if owns_client:
                await state.http.aclose()
            await state.database.dispose()

    app = FastAPI(
        title=parts.title,
        description=parts.description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_tags=parts.openapi_tags or None,
        # Served by install_docs from the service's own files, not from a CDN.
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=contract.operation_id,
    )
    state = ServiceState(
        settings=settings,
        clock=clock or SystemClock(),
        rules=load_rule_book(),
        event_tables=parts.event_tables,
        inbox=parts.inbox if parts.event_tables is None else parts.event_tables.inbox,
        idempotency=None
        if parts.idempotency_table is None
        else Idempotency(parts.idempotency_table, timedelta(hours=settings.idempotency_ttl_hours)),
        calendar=None
        if parts.calendar_tables is None
        else LiveCalendar(parts.calendar_tables, reload_seconds=settings.calendar_reload_seconds, fixed=calendar),
    )
    app.state.service = state
    # Tests and tools reach a running app's settings through these two names; the product reads `State`.
    app.state.settings = state.settings
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, limit_for=limits_by_route(parts.body_limits))
    install_observability(app, settings.service_name, metrics_token=settings.metrics_token)
    install_docs(app)
    app.include_router(health.router)
    for router in parts.routers:
        app.include_router(router)
    for payload in parts.published:
        _document_webhook(app, payload)
    contract.install(app, parts.glossary)
    return app


def freeze_startup_objects() -> None:
    """Move everything built so far out of the garbage collector's sight, for the life of the process.

    Modules, routes, models, engines and rule sets live as long as the process; left in sight, every full
    collection under load walks them all again and holds up the event loop meanwhile (the slowest requests
    were slower by that much). Afterwards collections walk only what requests made.
    """
    gc.collect()
    gc.freeze()


def _document_webhook(app: FastAPI, payload: type[EventPayload]) -> None:
    """List an event in the OpenAPI document as a webhook that subscribers receive."""

    async def webhook(body: EventPayload) -> None:
        """Delivered inside an event envelope, signed with the publisher's own secret."""

    # Annotations are strings under postponed evaluation; the concrete payload class is set here.
    webhook.__annotations__["body"] = payload
    webhook.__doc__ = (
        f"{payload.__doc__} Sent as the `data` of an envelope with type `{payload.event_type}`, "
        f"version {payload.version}, POSTed to each subscriber's /internal/events, signed with the publisher's "
        "own secret (headers `webhook-id`, `webhook-timestamp`, `webhook-signature`, and "
        "`zerovisit-event-source` naming the publisher). A subscriber accepts from each publisher only the "
        "event types that publisher may send."
    )
    # Named for the event, as `application_submitted`: each webhook's operation id is its own.
    name = payload.event_type.replace(".", "_")
    app.webhooks.post(payload.event_type, summary=payload.event_type, name=name, operation_id=name)(webhook)


def wake_relay_on_commit(database: Database, relay: Relay) -> None:
    """Wake the relay as soon as a transaction of the app's sessions that published events has committed.

    Only a nudge: the relay still polls every interval, which covers events written by other processes
    (replicas, the command line) and a wake-up lost to a crash.
    """
    # Sessions of a class of this app's own, so that the listener hears this app's commits only.
    base: type[Session] = database.sessionmaker.kw.get("sync_session_class", Session)
    # On top of any class the app's sessions already have (with listeners of its own), not instead of it.
    session_class = type("RelayWakingSession", (base,), {})

    def after_commit(session: Session) -> None:
        # A savepoint's release fires this too; the rows are visible to the relay only after the outermost commit.
        if not session.in_nested_transaction() and session.info.pop(outbox.PUBLISHED, False):
            relay.wake()

    event.listen(session_class, "after_commit", after_commit)
    database.sessionmaker.configure(sync_session_class=session_class)


def build_relay(
    settings: ServiceSettings, database: Database, tables: EventTables, http: httpx.AsyncClient, clock: Clock
) -> Relay:
    """The relay of a service's outbox, as its settings describe it."""
    return Relay(
        database,
        tables,
        settings.subscribers,
        http,
        clock=clock,
        batch_size=settings.relay_batch_size,
        concurrency=settings.relay_concurrency,
        events_per_request=settings.relay_events_per_request,
        max_attempts=settings.relay_max_attempts,
        backoff_base_seconds=settings.relay_backoff_base_seconds,
        backoff_max_seconds=settings.relay_backoff_max_seconds,
        name=settings.service_name,
        source=settings.service_name,
        secret=settings.events_secret,
    )


def prune_task(*, outbox: Table | None, inbox: Table) -> Callable[[FastAPI], Coroutine[Any, Any, None]]:
    """A background job that deletes delivered outbox rows and inbox rows past their retention, every interval."""

    async def run(app: FastAPI) -> None:
        state: ServiceState = app.state.service
        settings = state.settings
        while True:
            await asyncio.sleep(settings.events_prune_interval_seconds)
            try:
                delivered, received = await retention.prune(
                    state.database,
                    outbox=outbox,
                    inbox=inbox,
                    now=state.clock.now(),
                    retention_days=settings.events_retention_days,
                    batch_size=settings.events_prune_batch_size,
                )
                if delivered or received:
                    logger.info("pruned %d delivered outbox rows and %d inbox rows", delivered, received)
            except Exception:
                # A database that is away now is pruned on a later round; the service goes on meanwhile.
                logger.warning("pruning events failed; trying again later", exc_info=True)

    return run


def relay_task(tables: EventTables) -> Callable[[FastAPI], Coroutine[Any, Any, None]]:
    """A background job that delivers the app's outbox to its subscribers until the app stops."""

    async def run(app: FastAPI) -> None:
        state: ServiceState = app.state.service
        settings = state.settings
        if not settings.subscribers:
            return
        relay = build_relay(settings, state.database, tables, state.http, state.clock)
        state.relay = relay
        wake_relay_on_commit(state.database, relay)
        await relay.run_forever(settings.relay_interval_seconds)

    return run
