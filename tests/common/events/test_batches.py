"""Batched delivery: several events of a subscriber in one signed request, each still applied once and in order."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.common.clock import FixedClock
from services.common.db import Database
from services.common.events import Relay
from tests.common.events.conftest import (
    SECRET,
    SOURCE,
    TABLES,
    Failures,
    Wire,
    effects,
    inbox_count,
    outbox_rows,
    publish_thing,
    sign,
    thing_envelope,
)
from tests.common.events.test_relay import make_relay


def batching_relay(database: Database, client: httpx.AsyncClient, clock: FixedClock, **overrides: Any) -> Relay:
    """The tests' relay, sending up to ten events a request."""
    return make_relay(database, client, clock, **{"batch_size": 100, "events_per_request": 10, **overrides})


async def test_events_of_many_cases_travel_in_batches_and_each_is_applied_once(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    published = [await publish_thing(database, case_key=f"case-{n}") for n in range(25)]
    relay = batching_relay(database, client, clock)

    assert await relay.run_once() == 25

    assert sorted(wire.batches) == [5, 10, 10]
    assert wire.deliveries == {str(envelope.id): 1 for envelope in published}
    assert sorted(event_id for event_id, _ in await effects(database)) == sorted(str(e.id) for e in published)
    assert {row["status"] for row in await outbox_rows(database)} == {"delivered"}


async def test_a_failing_event_holds_back_only_its_own_case(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire, failures: Failures
) -> None:
    bad = await publish_thing(database, case_key="case-bad", note="bad")
    later = await publish_thing(database, case_key="case-bad", note="later")
    others = [await publish_thing(database, case_key=f"case-{n}") for n in range(4)]
    # Refused twice: in the batch's one transaction, then again on its own in a savepoint.
    failures.remaining[str(bad.id)] = 2
    relay = batching_relay(database, client, clock)

    assert await relay.run_once() == 4  # the other cases; the bad one failed and the later one waits

    assert sorted(event_id for event_id, _ in await effects(database)) == sorted(str(e.id) for e in others)
    rows = {row["event_id"]: row for row in await outbox_rows(database)}
    assert (rows[str(bad.id)]["status"], rows[str(bad.id)]["attempts"]) == ("pending", 1)
    assert "refusing bad" not in (rows[str(bad.id)]["last_error"] or "")  # the handler's message stays inside
    assert (rows[str(later.id)]["status"], rows[str(later.id)]["attempts"]) == ("pending", 0)

    clock.advance(timedelta(seconds=5))
    assert await relay.run_once() == 1
    assert await relay.run_once() == 1
    applied = [event_id for event_id, case in await effects(database) if case == "case-bad"]
    assert applied == [str(bad.id), str(later.id)]  # in the order published


async def test_an_event_already_applied_is_a_duplicate_in_a_batch_and_counts_as_delivered(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    first = await publish_thing(database, case_key="case-1")
    second = await publish_thing(database, case_key="case-2")
    single = batching_relay(database, client, clock, events_per_request=1)
    assert await single.run_once() == 2
    # Delivered again, as after a relay that died before recording its round.
    async with database.engine.begin() as conn:
        await conn.execute(TABLES.outbox.update().values(status="pending", delivered_at=None))

    assert await batching_relay(database, client, clock).run_once() == 2

    assert len(await effects(database)) == 2
    assert await inbox_count(database) == 2
    assert wire.deliveries == {str(first.id): 2, str(second.id): 2}


async def test_a_batch_signed_with_another_secret_is_refused_whole(
    database: Database, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    envelope = thing_envelope(clock)
    body = json.dumps({"events": [json.loads(envelope.model_dump_json())]}).encode()
    headers = sign("another-secret", "batch-1", body, now=clock.now(), source=SOURCE)

    response = await client.post("http://receiver/internal/events/batch", content=body, headers=headers)

    assert response.status_code == 401
    assert await inbox_count(database) == 0


@pytest.mark.parametrize(
    ("change", "expected_status"),
    [({"type": "forged.event"}, 403), ({"source": "someone-else"}, 422)],
)
async def test_an_event_its_source_may_not_send_fails_alone_in_its_batch(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, change: dict[str, str], expected_status: int
) -> None:
    good = thing_envelope(clock)
    forged = thing_envelope(clock).model_copy(update={**change, "case_key": "case-2"})
    body = json.dumps({"events": [json.loads(e.model_dump_json()) for e in (good, forged)]}).encode()
    headers = sign(SECRET, "batch-1", body, now=clock.now(), source=SOURCE)

    response = await client.post("http://receiver/internal/events/batch", content=body, headers=headers)

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [(str(good.id), "applied"), (str(forged.id), "failed")]
    assert results[1]["problem_status"] == expected_status
    assert await effects(database) == [(str(good.id), "case-1")]


async def test_a_subscriber_that_is_down_costs_one_request_and_nothing_is_lost(
    database: Database, client: httpx.AsyncClient, clock: FixedClock, wire: Wire
) -> None:
    published = [await publish_thing(database, case_key=f"case-{n}") for n in range(30)]
    relay = batching_relay(database, client, clock)
    wire.mode = "down"

    assert await relay.run_once() == 0
    assert wire.calls == 1  # the first batch, as a probe; the others wait
    rows = await outbox_rows(database)
    assert sum(row["attempts"] for row in rows) == 1 and {row["status"] for row in rows} == {"pending"}

    wire.mode = "up"
    clock.advance(timedelta(seconds=5))
    assert await relay.run_once() == 30
    assert wire.deliveries == {str(envelope.id): 1 for envelope in published}


async def test_a_malformed_batch_is_422_and_changes_nothing(
    database: Database, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    envelope = json.loads(thing_envelope(clock).model_dump_json())
    for events in ([], [envelope, envelope], [{"id": "not-an-envelope"}]):
        body = json.dumps({"events": events}).encode()
        headers = sign(SECRET, "batch-1", body, now=clock.now(), source=SOURCE)
        response = await client.post("http://receiver/internal/events/batch", content=body, headers=headers)
        assert response.status_code == 422, response.text
    assert await inbox_count(database) == 0
