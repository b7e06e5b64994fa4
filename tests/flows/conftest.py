"""All three services running together, their relays delivering over the in-memory network."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from services.common.clock import FixedClock
from tests.support.databases import FreshDatabases
from tests.support.services import Network, Service, run_service

T = TypeVar("T")


@dataclass
class Platform:
    """The three running services."""

    intake: Service
    workflow: Service
    metrics: Service
    network: Network
    clock: FixedClock


@pytest.fixture
def intake_overrides() -> dict[str, Any]:
    """Intake settings a journey changes (a module redefines this fixture); none by default."""
    return {}


@pytest.fixture
async def platform(
    databases: FreshDatabases, var_dir: Path, network: Network, clock: FixedClock, intake_overrides: dict[str, Any]
) -> AsyncIterator[Platform]:
    """intake, workflow and metrics with relays on, talking over one network."""
    async with contextlib.AsyncExitStack() as stack:
        services = {}
        for name in ("intake", "workflow", "metrics"):
            services[name] = await stack.enter_async_context(
                run_service(
                    name,
                    database_url=await databases.url(name),
                    var_dir=var_dir,
                    network=network,
                    clock=clock,
                    relay=True,
                    **(intake_overrides if name == "intake" else {}),
                )
            )
        yield Platform(services["intake"], services["workflow"], services["metrics"], network, clock)


async def eventually(probe: Callable[[], Awaitable[T | None]], *, within_seconds: float = 10.0) -> T:
    """Poll until the probe returns something, or fail after the timeout."""
    deadline = asyncio.get_running_loop().time() + within_seconds
    while True:
        result = await probe()
        if result is not None:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected state was not reached in time")
        await asyncio.sleep(0.05)
