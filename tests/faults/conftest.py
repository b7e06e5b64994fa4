"""Fault drills in one process: the three services over a network that fails in chosen ways."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.clock import FixedClock
from tests.flows.conftest import Platform
from tests.support.databases import FreshDatabases
from tests.support.services import Network, Service, run_service

EVENTS_PATH = "/internal/events"
BATCH_PATH = "/internal/events/batch"


def _answers(request: httpx.Request, response: httpx.Response) -> list[tuple[str, str]]:
    """(event id, answer) for each event of a delivery: one event, or each of a batch."""
    if request.url.path == EVENTS_PATH:
        answer = str(response.json()["status"]) if response.is_success else f"HTTP {response.status_code}"
        return [(request.headers["webhook-id"], answer)]
    sent = [event["id"] for event in json.loads(request.content)["events"]]
    if not response.is_success:
        return [(event_id, f"HTTP {response.status_code}") for event_id in sent]
    results = {result["id"]: result for result in response.json()["results"]}
    return [(event_id, _answer(results[event_id])) for event_id in sent]


def _answer(result: dict[str, Any]) -> str:
    if result["status"] == "failed":
        return f"HTTP {result['problem_status']}"
    return str(result["status"])


class FaultyNetwork(Network):
    """The test network, with what a real one does on a bad day.

    Every answer to an event delivery is noted per host and event id ("applied", "duplicate", or the
    HTTP status), so a test can tell what the receiver did with each attempt. A host can be set to lose
    the first answer to each event (the receiver commits, the sender hears a dropped connection), or to
    hold an answer after letting a number through (the sender waits until it is cancelled).
    """

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, defaultdict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.lose_first_answer: set[str] = set()
        self.hold_after: dict[str, int] = {}
        self.holding = asyncio.Event()
        self._passed: defaultdict[str, int] = defaultdict(int)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.url.path not in (EVENTS_PATH, BATCH_PATH):
            return response
        await response.aread()
        host = request.url.host
        first_seen = False
        for event_id, answer in _answers(request, response):
            seen = self.answers[host][event_id]
            seen.append(answer)
            first_seen = first_seen or len(seen) == 1
        if host in self.lose_first_answer and first_seen:
            raise httpx.ReadError("connection reset before the answer arrived", request=request)
        if host in self.hold_after:
            if self._passed[host] >= self.hold_after[host]:
                self.holding.set()
                await asyncio.Event().wait()  # until the sender is cancelled
            self._passed[host] += 1
        return response

    def answers_to(self, host: str, event_ids: list[str]) -> list[list[str]]:
        """What the host answered to each attempt at each of these events, in the order given."""
        return [list(self.answers[host].get(event_id, [])) for event_id in event_ids]


@pytest.fixture
def network() -> FaultyNetwork:
    """The network the services talk over, with faults to switch on."""
    return FaultyNetwork()


@pytest.fixture
async def urls(databases: FreshDatabases) -> dict[str, str]:
    """One migrated database per service, kept by URL so that a service can be restarted on its own."""
    return {name: await databases.url(name) for name in ("intake", "workflow", "metrics")}


def start(
    name: str, urls: dict[str, str], var_dir: Path, network: Network, clock: FixedClock
) -> contextlib.AbstractAsyncContextManager[Service]:
    """Run one service with its relay on, on its own database."""
    return run_service(name, database_url=urls[name], var_dir=var_dir, network=network, clock=clock, relay=True)


@pytest.fixture
async def platform(
    urls: dict[str, str], var_dir: Path, network: FaultyNetwork, clock: FixedClock
) -> AsyncIterator[Platform]:
    """intake, workflow and metrics with relays on, over the faulty network."""
    async with contextlib.AsyncExitStack() as stack:
        services = {
            name: await stack.enter_async_context(start(name, urls, var_dir, network, clock))
            for name in ("intake", "workflow", "metrics")
        }
        yield Platform(services["intake"], services["workflow"], services["metrics"], network, clock)
