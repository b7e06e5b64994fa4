"""The populated platform, made once per test module and backend, and the journey fixture for personal data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from services.intake.identity.keys import SigningKey
from tests.flows.conftest import intake_overrides, platform  # noqa: F401 (the three services with relays, for one journey)
from tests.security.world import World, populated_world
from tests.support.databases import BACKENDS, Templates


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def world(
    request: pytest.FixtureRequest,
    templates: Templates,
    signing_key: SigningKey,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[World]:
    """All three services, seeded, shared by the tests of one module (they only add to it)."""
    directory = tmp_path_factory.mktemp(f"world-{request.param}")
    async with populated_world(templates, str(request.param), directory, signing_key) as populated:
        yield populated
