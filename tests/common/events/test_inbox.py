"""The receiving endpoint verifies, then applies each event once, in one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.clock import FixedClock
from services.common.db import Database
from services.common.errors import Conflict
from services.common.events import EventEnvelope, EventHandlers, sign
from tests.common.events.conftest import SECRET, Failures, effects, inbox_count


@pytest.fixture
async def http(receiver: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver), base_url="http://r") as client:
        yield client


def _envelope(clock: FixedClock, event_type: str = "thing.happened") -> EventEnvelope:
    return EventEnvelope(
        id=uuid4(),
        type=event_type,
        version=1,
        occurred_at=clock.now(),
        case_key="case-1",
        source="tests",
        data={"note": "x"},
    )


async def _deliver(
    http: httpx.AsyncClient, body: bytes, message_id: str, clock: FixedClock, *, secret: str = SECRET
) -> httpx.Response:
    headers = sign(secret, message_id, body, now=clock.now())
    return await http.post("/internal/events", content=body, headers=headers)


async def test_an_event_is_applied_then_a_redelivery_is_a_duplicate(
    http: httpx.AsyncClient, database: Database, clock: FixedClock
) -> None:
    envelope = _envelope(clock)
    body = envelope.model_dump_json().encode()

    first = await _deliver(http, body, str(envelope.id), clock)
    clock.advance(timedelta(minutes=1))
    second = await _deliver(http, body, str(envelope.id), clock)

    assert (first.status_code, first.json()) == (200, {"status": "applied"})
    assert (second.status_code, second.json()) == (200, {"status": "duplicate"})
    assert await effects(database) == [(str(envelope.id), "case-1")]
    assert await inbox_count(database) == 1


async def test_an_event_without_a_handler_is_recorded_and_ignored(
    http: httpx.AsyncClient, database: Database, clock: FixedClock
) -> None:
    envelope = _envelope(clock, event_type="other.event")
    response = await _deliver(http, envelope.model_dump_json().encode(), str(envelope.id), clock)

    assert (response.status_code, response.json()) == (200, {"status": "ignored"})
    assert await inbox_count(database) == 1
    assert await effects(database) == []


async def test_a_bad_signature_is_401_and_nothing_is_applied(
    http: httpx.AsyncClient, database: Database, clock: FixedClock
) -> None:
    envelope = _envelope(clock)
    response = await _deliver(http, envelope.model_dump_json().encode(), str(envelope.id), clock, secret="x")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert await inbox_count(database) == 0
    assert await effects(database) == []


async def test_a_stale_delivery_is_401_and_nothing_is_applied(
    http: httpx.AsyncClient, database: Database, clock: FixedClock
) -> None:
    envelope = _envelope(clock)
    body = envelope.model_dump_json().encode()
    headers = sign(SECRET, str(envelope.id), body, now=clock.now() - timedelta(seconds=301))

    response = await http.post("/internal/events", content=body, headers=headers)

    assert response.status_code == 401
    assert "tolerance" in response.json()["detail"]
    assert await inbox_count(database) == 0


async def test_an_unsigned_delivery_is_401(http: httpx.AsyncClient, clock: FixedClock) -> None:
    response = await http.post("/internal/events", content=_envelope(clock).model_dump_json().encode())
    assert response.status_code == 401


@pytest.mark.parametrize("body", [b"not json", b'{"id": "x"}', b"[]"])
async def test_a_signed_body_that_is_not_an_envelope_is_422(
    http: httpx.AsyncClient, database: Database, clock: FixedClock, body: bytes
) -> None:
    response = await _deliver(http, body, "x", clock)
    assert response.status_code == 422
    assert await inbox_count(database) == 0


async def test_a_body_naming_another_event_than_its_signature_is_422(
    http: httpx.AsyncClient, clock: FixedClock
) -> None:
    response = await _deliver(http, _envelope(clock).model_dump_json().encode(), str(uuid4()), clock)
    assert response.status_code == 422


async def test_a_failing_handler_rolls_back_the_inbox_row_and_answers_500(
    http: httpx.AsyncClient, database: Database, clock: FixedClock, failures: Failures
) -> None:
    envelope = _envelope(clock)
    body = envelope.model_dump_json().encode()
    failures.remaining[str(envelope.id)] = 1

    failed = await _deliver(http, body, str(envelope.id), clock)
    assert failed.status_code == 500
    assert failed.headers["content-type"] == "application/problem+json"
    assert await inbox_count(database) == 0
    assert await effects(database) == []

    retried = await _deliver(http, body, str(envelope.id), clock)
    assert retried.json() == {"status": "applied"}
    assert await effects(database) == [(str(envelope.id), "case-1")]


async def test_a_problem_raised_by_a_handler_keeps_its_status(
    http: httpx.AsyncClient, database: Database, clock: FixedClock, handlers: EventHandlers
) -> None:
    @handlers.on("other.event")
    async def busy(session: AsyncSession, envelope: EventEnvelope, state: object) -> None:
        raise Conflict("not yet")

    envelope = _envelope(clock, event_type="other.event")
    response = await _deliver(http, envelope.model_dump_json().encode(), str(envelope.id), clock)

    assert response.status_code == 409
    assert await inbox_count(database) == 0


def test_an_event_type_has_one_handler(handlers: EventHandlers) -> None:
    async def again(session: AsyncSession, envelope: EventEnvelope, state: object) -> None:
        return None

    with pytest.raises(ValueError, match="already registered"):
        handlers.on("thing.happened")(again)
    assert handlers.types() == ["thing.happened"]
    assert handlers.get("nothing") is None


async def test_concurrent_deliveries_of_one_event_apply_it_once(
    http: httpx.AsyncClient, database: Database, clock: FixedClock, handlers: EventHandlers
) -> None:
    applied: list[str] = []

    @handlers.on("slow.event")
    async def slow(session: AsyncSession, envelope: EventEnvelope, state: object) -> None:
        # Holds the transaction open so that the second delivery arrives while the first is uncommitted.
        await asyncio.sleep(0.2)
        applied.append(str(envelope.id))

    envelope = _envelope(clock, event_type="slow.event")
    body = envelope.model_dump_json().encode()
    responses = await asyncio.gather(*(_deliver(http, body, str(envelope.id), clock) for _ in range(2)))

    assert sorted(response.json()["status"] for response in responses) == ["applied", "duplicate"]
    assert applied == [str(envelope.id)]
    assert await inbox_count(database) == 1
