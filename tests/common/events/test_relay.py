"""The relay delivers each row once, backs off, parks, and keeps per-case order."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.common.clock import FixedClock
from services.common.db import Database
from services.common.events import Relay
from services.common.events import store as outbox_store
from tests.common.events.conftest import (
    RECEIVER,
    SECRET,
    SOURCE,
    TABLES,
    Failures,
    Wire,
    effects,
    outbox_rows,
    publish_thing,
)


def make_relay(database: Database, client: httpx.AsyncClient, clock: FixedClock, **overrides: Any) -> Relay:
    options: dict[str, Any] = {
        "clock": clock,
        "batch_size": 10,
        "max_attempts": 3,
        "backoff_base_seconds": 1,
        "backoff_max_seconds": 60,
        "name": "relay-test",
        "source": SOURCE,
        "secret": SECRET,
    }
    options.update(overrides)
    return Relay(database, TABLES, [RECEIVER], client, **options)


async def test_a_pending_event_is_delivered_once_and_marked(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    envelope = await publish_thing(database, case_key="case-1")
    relay = make_relay(database, client, clock)

    assert await relay.run_once() == 1
    assert await relay.run_once() == 0

    assert wire.deliveries == {str(envelope.id): 1}
    assert await effects(database) == [(str(envelope.id), "case-1")]
    [row] = await outbox_rows(database)
    assert (row["status"], row["attempts"], row["delivered_at"]) == ("delivered", 1, clock.now())
    assert (row["locked_until"], row["claim_token"], row["last_error"]) == (None, None, None)
    assert await relay.pending_count() == 0


@pytest.mark.parametrize("outage", ["down", "503"])
async def test_an_unreachable_receiver_is_retried_with_backoff_then_applied_once(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire, outage: str
) -> None:
    envelope = await publish_thing(database, case_key="case-1")
    relay = make_relay(database, client, clock, max_attempts=5)
    wire.mode = outage

    assert await relay.run_once() == 0
    [row] = await outbox_rows(database)
    assert (row["status"], row["attempts"], row["locked_until"]) == ("pending", 1, None)
    assert clock.now() + timedelta(seconds=0.9) <= row["next_attempt_at"] <= clock.now() + timedelta(seconds=1)
    assert "503" in str(row["last_error"]) or "ConnectError" in str(row["last_error"])

    # Backing off: not tried again before its time, and the second wait is twice the first.
    assert await relay.run_once() == 0
    assert wire.calls == 1
    clock.advance(timedelta(seconds=1))
    assert await relay.run_once() == 0
    [row] = await outbox_rows(database)
    assert row["attempts"] == 2
    assert clock.now() + timedelta(seconds=1.8) <= row["next_attempt_at"] <= clock.now() + timedelta(seconds=2)

    wire.mode = "up"
    clock.advance(timedelta(seconds=2))
    assert await relay.run_once() == 1
    assert await effects(database) == [(str(envelope.id), "case-1")]
    assert wire.calls == 3
    [row] = await outbox_rows(database)
    assert (row["status"], row["attempts"]) == ("delivered", 3)


async def test_an_unreachable_receiver_costs_one_request_per_round_not_one_per_row(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    for case in ("a", "b", "c"):
        await publish_thing(database, case_key=case)
    relay = make_relay(database, client, clock)
    wire.mode = "down"

    assert await relay.run_once() == 0

    assert wire.calls == 1
    first, *rest = await outbox_rows(database)
    assert first["attempts"] == 1
    for row in rest:
        # Not sent, so no attempt spent; they come back when the first one does.
        assert (row["attempts"], row["next_attempt_at"]) == (0, first["next_attempt_at"])
        assert str(row["last_error"]).startswith("not sent: ConnectError")
    wire.mode = "up"
    clock.advance(timedelta(seconds=1))
    assert await relay.run_once() == 3


@pytest.mark.parametrize("outage", ["down", "503"])
async def test_a_long_outage_never_parks_an_event(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire, outage: str
) -> None:
    await publish_thing(database, case_key="case-1")
    relay = make_relay(database, client, clock, max_attempts=3, backoff_max_seconds=5)
    wire.mode = outage
    for _ in range(10):
        assert await relay.run_once() == 0
        clock.advance(timedelta(seconds=5))
    [row] = await outbox_rows(database)
    assert (row["status"], row["attempts"]) == ("pending", 10)
    wire.mode = "up"
    assert await relay.run_once() == 1


async def test_an_event_is_parked_after_the_last_attempt_and_reported(
    database: Database,
    client: httpx.AsyncClient,
    clock: FixedClock,
    wire: Wire,
    caplog: pytest.LogCaptureFixture,
) -> None:
    envelope = await publish_thing(database, case_key="case-1")
    relay = make_relay(database, client, clock, max_attempts=3, backoff_max_seconds=5)
    wire.mode = "refusing"

    for _ in range(3):
        assert await relay.run_once() == 0
        clock.advance(timedelta(seconds=5))
    assert await relay.run_once() == 0

    assert wire.calls == 3
    [row] = await outbox_rows(database)
    assert (row["status"], row["attempts"]) == ("parked", 3)
    assert (await relay.parked_count(), await relay.pending_count()) == (1, 0)
    [report] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert "parked" in report.getMessage()
    assert str(envelope.id) in report.getMessage()

    # An operator puts it back in line once the receiver is up again.
    wire.mode = "up"
    assert await relay.requeue_parked() == 1
    assert await relay.run_once() == 1
    assert await relay.parked_count() == 0


async def test_a_failing_event_holds_back_later_events_of_its_case_only(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, failures: Failures
) -> None:
    a1 = await publish_thing(database, case_key="a", note="a1")
    a2 = await publish_thing(database, case_key="a", note="a2")
    b1 = await publish_thing(database, case_key="b", note="b1")
    failures.remaining[str(a1.id)] = 1
    relay = make_relay(database, client, clock)

    # a1 is refused (500), b1 goes through, a2 waits behind a1.
    assert await relay.run_once() == 1
    assert await effects(database) == [(str(b1.id), "b")]
    # While a1 backs off, a2 still waits.
    assert await relay.run_once() == 0

    clock.advance(timedelta(seconds=1))
    assert await relay.run_once() == 1
    assert await relay.run_once() == 1
    assert await effects(database) == [(str(b1.id), "b"), (str(a1.id), "a"), (str(a2.id), "a")]


async def test_a_delivery_whose_result_was_lost_is_sent_again_after_the_lease_and_applied_once(
    database: Database,
    client: httpx.AsyncClient,
    clock: FixedClock,
    wire: Wire,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    envelope = await publish_thing(database, case_key="case-1")
    relay = make_relay(database, client, clock, lease_seconds=30)

    async def crash(*_: object, **__: object) -> None:
        raise RuntimeError("the relay died after sending")

    with monkeypatch.context() as patch:
        patch.setattr(outbox_store, "record", crash)
        with pytest.raises(RuntimeError):
            await relay.run_once()
    # Sent and applied, but still pending and leased: nobody may send it while the lease holds.
    assert await relay.run_once() == 0
    assert wire.deliveries[str(envelope.id)] == 1

    clock.advance(timedelta(seconds=31))
    assert await relay.run_once() == 1
    assert wire.deliveries[str(envelope.id)] == 2
    assert await effects(database) == [(str(envelope.id), "case-1")]
    [row] = await outbox_rows(database)
    assert row["status"] == "delivered"


async def test_a_row_for_an_unconfigured_subscriber_is_left_alone(
    database: Database, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    gone = RECEIVER.model_copy(update={"name": "gone"})
    await publish_thing(database, case_key="case-1", subscribers=(gone,))
    relay = make_relay(database, client, clock)

    assert await relay.run_once() == 0
    [row] = await outbox_rows(database)
    assert (row["status"], row["locked_until"]) == ("pending", None)


class SlowWire(Wire):
    """A receiver that takes a while to answer, counting how many deliveries it holds at once."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.in_flight = 0
        self.most_in_flight = 0
        self.first_sent = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.first_sent.set()
        try:
            await asyncio.sleep(0.02)
            return await super().handle_async_request(request)
        finally:
            self.in_flight -= 1


async def _cases_for_a_slow_receiver(database: Database, receiver: Any, cases: int) -> SlowWire:
    for n in range(cases):
        await publish_thing(database, case_key=f"case-{n}")
    return SlowWire(receiver)


async def test_events_of_different_cases_are_delivered_side_by_side_up_to_the_limit(
    database: Database, receiver: Any, clock: FixedClock
) -> None:
    wire = await _cases_for_a_slow_receiver(database, receiver, 12)
    async with httpx.AsyncClient(transport=wire) as client:
        relay = make_relay(database, client, clock, batch_size=20, concurrency=4)
        assert await relay.run_once() == 12

    assert wire.most_in_flight == 4
    assert sorted(wire.deliveries.values()) == [1] * 12
    assert len(await effects(database)) == 12


async def test_a_stopped_relay_finishes_its_round_and_leaves_nothing_leased(
    database: Database, receiver: Any, clock: FixedClock
) -> None:
    wire = await _cases_for_a_slow_receiver(database, receiver, 6)
    async with httpx.AsyncClient(transport=wire) as client:
        relay = make_relay(database, client, clock, concurrency=2)
        running = asyncio.create_task(relay.run_forever(0.05))
        await asyncio.wait_for(wire.first_sent.wait(), timeout=5)
        relay.stop()  # mid-round
        await asyncio.wait_for(running, timeout=5)  # returns by itself: not cancelled

    rows = await outbox_rows(database)
    assert [(row["locked_until"], row["claim_token"]) for row in rows] == [(None, None)] * 6
    assert sum(row["status"] == "delivered" for row in rows) == sum(wire.deliveries.values()) > 0


async def test_a_parked_event_holds_back_its_case_until_it_is_requeued(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, failures: Failures
) -> None:
    paused = await publish_thing(database, case_key="case-a", note="paused")
    resumed = await publish_thing(database, case_key="case-a", note="resumed")
    elsewhere = await publish_thing(database, case_key="case-b", note="elsewhere")
    failures.remaining[str(paused.id)] = 3  # refused on every attempt, until the receiver is fixed
    relay = make_relay(database, client, clock, max_attempts=3, backoff_max_seconds=1)

    for _ in range(4):
        await relay.run_once()
        clock.advance(timedelta(seconds=2))

    rows = {row["event_id"]: row["status"] for row in await outbox_rows(database)}
    assert rows == {str(paused.id): "parked", str(resumed.id): "pending", str(elsewhere.id): "delivered"}
    # Once requeued, the case's events arrive as they were published: the pause, then the resume.
    assert await relay.requeue_parked() == 1
    assert [await relay.run_once(), await relay.run_once()] == [1, 1]
    applied = [event_id for event_id, case in await effects(database) if case == "case-a"]
    assert applied == [str(paused.id), str(resumed.id)]
