"""Fixtures for the workflow tests: a running workflow service and tokens for each kind of caller."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.common.clock import FixedClock
from services.intake.identity.keys import SigningKey
from tests.support.databases import FreshDatabases
from tests.support.services import Network, Service, run_service
from tests.workflow.support import Callers


@pytest.fixture
def jwks_file(tmp_path: Path, signing_key: SigningKey) -> Path:
    """The test signing key's public JWKS, so workflow verifies tokens without intake running."""
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(signing_key.jwks()))
    return path


@pytest.fixture
async def workflow_url(databases: FreshDatabases) -> str:
    """A fresh migrated workflow database."""
    return await databases.url("workflow")


@pytest.fixture
async def workflow(
    workflow_url: str, var_dir: Path, network: Network, clock: FixedClock, jwks_file: Path
) -> AsyncIterator[Service]:
    """A running workflow service with no relay; its calendar is re-read whenever the tables change."""
    async with run_service(
        "workflow",
        database_url=workflow_url,
        var_dir=var_dir,
        network=network,
        clock=clock,
        jwks_file=jwks_file,
        calendar_reload_seconds=0,
    ) as service:
        yield service


@pytest.fixture
def callers(signing_key: SigningKey) -> Callers:
    """Authorization headers for staff, managers, admins, applicants and regulators."""
    return Callers(signing_key)
