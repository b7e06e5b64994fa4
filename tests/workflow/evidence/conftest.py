"""Fixtures for the evidence tests: a workflow service with a small evidence size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.common.clock import FixedClock
from tests.support.services import Network, Service, run_service

SMALL_LIMIT = 4096


@pytest.fixture
async def small_workflow(
    workflow_url: str, var_dir: Path, network: Network, clock: FixedClock, jwks_file: Path
) -> AsyncIterator[Service]:
    """Workflow accepting evidence files of at most 4 KiB, kept in a directory of their own."""
    async with run_service(
        "workflow",
        database_url=workflow_url,
        var_dir=var_dir,
        network=network,
        clock=clock,
        jwks_file=jwks_file,
        evidence_max_bytes=SMALL_LIMIT,
        evidence_dir=var_dir / "site-files",
    ) as service:
        yield service
