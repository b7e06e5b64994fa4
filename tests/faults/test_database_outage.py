"""A database that cannot be reached is an outage to wait out (503), never a fault (500) that gets events parked."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from services.common.clock import FixedClock
from services.common.db import Database
from services.common.errors import is_database_outage
from services.common.events import EventPayload, Relay, publish
from services.intake.identity.keys import SigningKey
from services.workflow.db import event_tables
from tests.faults.conftest import FaultyNetwork
from tests.support.databases import FreshDatabases
from tests.support.services import EVENTS_SECRETS, run_service, subscriber
from tests.support.tokens import bearer, mint


class _Orig(Exception):
    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class CaseNoted(EventPayload):
    """Any event workflow may send, as far as a receiver that cannot reach its database is concerned."""

    event_type: ClassVar[str] = "job.noted"
    application_id: str


def _unreachable_database() -> str:
    with socket.socket() as probe:  # a port that was free a moment ago: connections to it are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/zerovisit"


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.DBAPIError("SELECT 1", None, _Orig("terminating connection due to administrator command", "57P01")),
        sa_exc.DBAPIError("SELECT 1", None, _Orig("the database system is starting up", "57P03")),
        sa_exc.DBAPIError("SELECT 1", None, _Orig("connection was closed", "08003")),
        sa_exc.DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=True),
        sa_exc.OperationalError("SELECT 1", None, Exception("database is locked")),
        sa_exc.TimeoutError("QueuePool limit reached"),
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_that_say_the_database_is_unreachable_are_outages(error: BaseException) -> None:
    assert is_database_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.ProgrammingError("SELEC 1", None, _Orig("syntax error", "42601")),
        sa_exc.IntegrityError("INSERT", None, _Orig("duplicate key", "23505")),
        FileNotFoundError(2, "No such file or directory"),
        ValueError("a bug"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_in_the_request_itself_are_not_outages(error: BaseException) -> None:
    assert not is_database_outage(error)


async def test_a_service_whose_database_is_down_answers_503_problem(
    var_dir: Path, network: FaultyNetwork, clock: FixedClock, signing_key: SigningKey
) -> None:
    applicant = bearer(mint(signing_key, sub="li.wei", role="applicant"))
    async with run_service("intake", database_url=_unreachable_database(), var_dir=var_dir, network=network) as intake:
        response = await intake.client.get("/api/v1/applications", headers=applicant)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/service-unavailable")


async def test_events_for_a_receiver_whose_database_is_down_wait_and_are_never_parked(
    databases: FreshDatabases, var_dir: Path, network: FaultyNetwork, clock: FixedClock
) -> None:
    publisher = Database.connect(await databases.url("workflow"))
    async with publisher.sessionmaker() as session, session.begin():
        envelope = await publish(
            session,
            event_tables,
            CaseNoted(application_id="case-1"),
            case_key="case-1",
            source="workflow",
            subscribers=[subscriber("intake", ("*",))],
            now=clock.now(),
        )
    async with (
        run_service("intake", database_url=_unreachable_database(), var_dir=var_dir, network=network, clock=clock),
        httpx.AsyncClient(transport=network) as client,
    ):
        # One attempt allowed: had the receiver answered 500, the event would be parked now.
        relay = Relay(
            publisher,
            event_tables,
            [subscriber("intake", ("*",))],
            client,
            clock=clock,
            batch_size=10,
            max_attempts=1,
            backoff_base_seconds=1,
            backoff_max_seconds=60,
            name="faults",
            source="workflow",
            secret=EVENTS_SECRETS["workflow"],
        )
        assert await relay.run_once() == 0
    async with publisher.engine.connect() as connection:
        status, error = (
            await connection.execute(select(event_tables.outbox.c.status, event_tables.outbox.c.last_error))
        ).one()
    await publisher.dispose()

    assert network.answers["intake"][str(envelope.id)] == ["HTTP 503"]
    assert status == "pending"
    assert str(error).startswith("HTTP 503")
