"""Fixtures shared by every test: databases per backend, the signing key, running services."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.clock import FixedClock
from services.intake.identity.keys import SigningKey
from tests.support.databases import BACKENDS, FreshDatabases, Templates
from tests.support.fake_provider import FakeProvider
from tests.support.services import Network, Service, run_service


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """Migrated template databases for the whole session."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    made.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test run: sqlite, and postgres when configured."""
    return str(request.param)


@pytest.fixture
async def databases(templates: Templates, backend: str, tmp_path: Path) -> AsyncIterator[FreshDatabases]:
    """Fresh migrated databases for this test."""
    fresh = FreshDatabases(templates, backend, tmp_path)
    yield fresh
    await fresh.close()


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    """The key intake signs tokens with in tests."""
    return SigningKey.load_or_create(tmp_path_factory.mktemp("keys") / "signing.pem")


@pytest.fixture
def var_dir(tmp_path: Path, signing_key: SigningKey) -> Path:
    """A var/ directory holding the test signing key where intake looks for it."""
    directory = tmp_path / "var"
    (directory / "intake").mkdir(parents=True)
    (directory / "intake" / "jwt_signing_key.pem").write_bytes(signing_key.private_pem)
    return directory


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at a known instant (10:00 in Beijing on a working Thursday)."""
    return FixedClock(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    """An SMS provider and push gateway: a real HTTP server on a free local port."""
    server = FakeProvider()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def network() -> Network:
    """The in-memory network the services talk over."""
    return Network()


@pytest.fixture
async def intake(
    databases: FreshDatabases, var_dir: Path, network: Network, clock: FixedClock
) -> AsyncIterator[Service]:
    """A running intake service with no relay."""
    async with run_service(
        "intake", database_url=await databases.url("intake"), var_dir=var_dir, network=network, clock=clock
    ) as service:
        yield service


StartIntake = Callable[..., contextlib.AbstractAsyncContextManager[Service]]


@pytest.fixture
def start_intake(databases: FreshDatabases, var_dir: Path, network: Network, clock: FixedClock) -> StartIntake:
    """Starts an intake service with some of its settings overridden."""

    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Service]:
        database_url = await databases.url("intake")
        async with run_service(
            "intake", database_url=database_url, var_dir=var_dir, network=network, clock=clock, **overrides
        ) as service:
            yield service

    return start


_addresses = (f"203.0.113.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture
async def from_address(intake: Service) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """Clients of the intake app, each calling from an address of its own."""
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=intake.app, client=(next(_addresses), 50000))
        client = httpx.AsyncClient(transport=transport, base_url="http://intake")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
