"""Fixtures for the metrics service: a running app whose tokens are checked against the test key's JWKS."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.common.clock import FixedClock
from services.intake.identity.keys import SigningKey
from tests.support.databases import FreshDatabases
from tests.support.services import Network, Service, run_service


@pytest.fixture
def jwks_file(tmp_path: Path, signing_key: SigningKey) -> Path:
    """The test key's JWKS, where metrics read it instead of asking intake."""
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(signing_key.jwks()))
    return path


@pytest.fixture
async def metrics(
    databases: FreshDatabases, var_dir: Path, network: Network, clock: FixedClock, jwks_file: Path
) -> AsyncIterator[Service]:
    """A running metrics service on a fresh database."""
    async with run_service(
        "metrics",
        database_url=await databases.url("metrics"),
        var_dir=var_dir,
        network=network,
        clock=clock,
        jwks_file=jwks_file,
    ) as service:
        yield service
