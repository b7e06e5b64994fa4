"""Fixtures for the events package: a fresh database per test, a receiver app, a switchable wire."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.common.clock import FixedClock
from services.common.db import Database, new_metadata
from services.common.errors import install_problem_handlers
from services.common.events import (
    EventEnvelope,
    EventHandlers,
    EventPayload,
    define_event_tables,
    make_events_router,
    publish,
    sign,
)
from services.common.rules import load_rule_book
from services.common.settings import ServiceSettings, Subscriber
from services.common.state import ServiceState

POSTGRES_ENV = "ZV_TEST_POSTGRES_URL"
SECRET = "secret-of-the-tests-publisher"
# The publisher in these tests: the envelopes it writes and the deliveries its relay signs name it.
SOURCE = "tests"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
RECEIVER_URL = "http://receiver/internal/events"
RECEIVER = Subscriber(name="receiver", url=RECEIVER_URL)

METADATA: MetaData = new_metadata()
TABLES = define_event_tables(METADATA)
# What the test handler does to the receiver's database: one row per application of an event.
EFFECT = Table(
    "effect",
    METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("case_key", String(128), nullable=False),
)


class ThingHappened(EventPayload):
    """A generic event for tests."""

    event_type: ClassVar[str] = "thing.happened"
    version: ClassVar[int] = 1

    note: str


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for the test module, when one is configured."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        yield None
        return
    name = f"zv_events_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(base, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: object, postgres_url: str | None) -> str:
    """Every test runs on SQLite, and on PostgreSQL when it is configured (CI always configures it)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/events.db"
    assert postgres_url is not None
    return postgres_url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The database with fresh outbox, inbox and effect tables."""
    db = Database.connect(database_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(METADATA.drop_all)
        await conn.run_sync(METADATA.create_all)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


class Failures:
    """Event ids the test handler refuses, with how many more times to refuse each."""

    def __init__(self) -> None:
        self.remaining: Counter[str] = Counter()


@pytest.fixture
def failures() -> Failures:
    return Failures()


@pytest.fixture
def handlers(failures: Failures) -> EventHandlers:
    registry = EventHandlers()

    @registry.on(ThingHappened.event_type)
    async def record_effect(session: AsyncSession, envelope: EventEnvelope, state: object) -> None:
        payload = ThingHappened.from_envelope(envelope)
        await session.execute(insert(EFFECT).values(event_id=str(envelope.id), case_key=envelope.case_key))
        if failures.remaining[str(envelope.id)] > 0:
            failures.remaining[str(envelope.id)] -= 1
            raise RuntimeError(f"refusing {payload.note}")

    return registry


@pytest.fixture
def receiver(database: Database, handlers: EventHandlers, clock: FixedClock) -> FastAPI:
    """A throwaway service that only receives events."""
    app = FastAPI()
    install_problem_handlers(app)
    settings = ServiceSettings(
        service_name="receiver",
        events_sources={SOURCE: SECRET},
        events_topics={SOURCE: ["thing.*", "other.*", "slow.*"]},
    )
    app.state.service = ServiceState(settings=settings, clock=clock, rules=load_rule_book(), _database=database)
    app.include_router(make_events_router(TABLES.inbox, handlers))
    return app


class Wire(httpx.AsyncBaseTransport):
    """The network between relay and receiver: up, down (connection refused), answering 503, or refusing (400)."""

    def __init__(self, app: FastAPI) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self.mode = "up"
        self.calls = 0
        self.deliveries: Counter[str] = Counter()
        self.batches: list[int] = []  # the number of events in each batch request, in the order sent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.mode == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if self.mode == "503":
            return httpx.Response(503, text="unavailable")
        if self.mode == "refusing":
            return httpx.Response(400, text="cannot apply this event")
        if request.url.path.endswith("/batch"):
            self.batches.append(len(json.loads(request.content)["events"]))
            for event in json.loads(request.content)["events"]:
                self.deliveries[event["id"]] += 1
        else:
            self.deliveries[request.headers["webhook-id"]] += 1
        return await self._inner.handle_async_request(request)


@pytest.fixture
def wire(receiver: FastAPI) -> Wire:
    return Wire(receiver)


@pytest.fixture
async def client(wire: Wire) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=wire) as http:
        yield http


async def publish_thing(
    database: Database,
    *,
    case_key: str,
    note: str = "x",
    now: datetime = T0,
    subscribers: tuple[Subscriber, ...] = (RECEIVER,),
) -> EventEnvelope:
    """Publish one event in its own committed transaction."""
    async with database.sessionmaker() as session, session.begin():
        return await publish(
            session,
            TABLES,
            ThingHappened(note=note),
            case_key=case_key,
            source=SOURCE,
            subscribers=subscribers,
            now=now,
        )


async def effects(database: Database) -> list[tuple[str, str]]:
    """(event id, case key) of every applied event, in the order applied."""
    async with database.engine.connect() as conn:
        rows = await conn.execute(select(EFFECT.c.event_id, EFFECT.c.case_key).order_by(EFFECT.c.seq))
        return [(row.event_id, row.case_key) for row in rows]


async def outbox_rows(database: Database) -> list[dict[str, Any]]:
    """Every outbox row, oldest first."""
    async with database.engine.connect() as conn:
        rows = await conn.execute(select(TABLES.outbox).order_by(TABLES.outbox.c.seq))
        return [dict(row._mapping) for row in rows]


async def inbox_count(database: Database) -> int:
    async with database.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(TABLES.inbox))).scalar_one())


def thing_envelope(clock: FixedClock, event_type: str = "thing.happened") -> EventEnvelope:
    """An envelope of the tests' publisher, not yet sent."""
    return EventEnvelope(
        id=uuid4(),
        type=event_type,
        version=1,
        occurred_at=clock.now(),
        case_key="case-1",
        source=SOURCE,
        data={"note": "x"},
    )


async def deliver_signed(
    http: httpx.AsyncClient, body: bytes, message_id: str, clock: FixedClock, *, secret: str = SECRET
) -> httpx.Response:
    """POST a body signed as the tests' publisher would sign it (with another secret, if given)."""
    headers = sign(secret, message_id, body, now=clock.now(), source=SOURCE)
    return await http.post("/internal/events", content=body, headers=headers)
