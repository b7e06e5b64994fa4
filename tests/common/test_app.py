"""What every service app gets from the common skeleton."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from services.common.clock import FixedClock
from services.metrics.app import create_app as create_metrics_app
from services.metrics.settings import MetricsSettings
from services.workflow.app import create_app as create_workflow_app
from services.workflow.settings import WorkflowSettings
from tests.support.databases import FreshDatabases
from tests.support.services import Network, Service, run_service

STRONG = "s" * 32  # the shortest secret accepted: 32 bytes
EVERYWHERE = "0.0.0.0"  # noqa: S104


def test_a_service_listening_beyond_loopback_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="real event secrets"):
        create_workflow_app(WorkflowSettings(host=EVERYWHERE))
    create_metrics_app(MetricsSettings(host=EVERYWHERE, events_sources={"intake": STRONG, "workflow": STRONG}))


@pytest.mark.parametrize("weak", ["", "s" * 31, "页" * 10], ids=["empty", "31 bytes", "30 bytes in 10 characters"])
def test_a_service_listening_beyond_loopback_refuses_an_empty_or_short_source_secret(weak: str) -> None:
    with pytest.raises(
        ValueError, match=r"at least 32 bytes; weak or missing: workflow \(\*_EVENTS_SOURCES__WORKFLOW\)"
    ):
        create_metrics_app(MetricsSettings(host=EVERYWHERE, events_sources={"intake": STRONG, "workflow": weak}))


def test_a_publisher_listening_beyond_loopback_refuses_a_short_secret_of_its_own() -> None:
    with pytest.raises(ValueError, match=r"weak or missing: workflow \(\*_EVENTS_SECRET\)"):
        create_workflow_app(
            WorkflowSettings(host=EVERYWHERE, events_secret="s" * 31, events_sources={"intake": STRONG})
        )
    create_workflow_app(WorkflowSettings(host=EVERYWHERE, events_secret=STRONG, events_sources={"intake": STRONG}))


def test_on_loopback_a_short_secret_is_allowed_for_trials() -> None:
    create_workflow_app(WorkflowSettings(events_secret="", events_sources={"intake": "short"}))


async def test_every_service_refuses_an_oversized_body_before_reading_it(intake: Service) -> None:
    response = await intake.client.post(
        "/api/v1/auth/register",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_running_service_prunes_inbox_rows_past_the_retention(
    databases: FreshDatabases, var_dir: Path, network: Network, clock: FixedClock
) -> None:
    old, recent = clock.now() - timedelta(days=15), clock.now() - timedelta(days=13)
    async with run_service(
        "intake", database_url=await databases.url("intake"), var_dir=var_dir, network=network, clock=clock,
        events_prune_interval_seconds=0.05,
    ) as intake:  # fmt: skip
        inbox, engine = intake.app.state.service.inbox, intake.app.state.database.engine
        async with engine.begin() as conn:
            await conn.execute(
                insert(inbox),
                [
                    {"event_id": "old", "event_type": "job.created", "source": "workflow", "received_at": old},
                    {"event_id": "recent", "event_type": "job.created", "source": "workflow", "received_at": recent},
                ],
            )
        for _ in range(100):
            async with engine.connect() as conn:
                left = (await conn.execute(select(inbox.c.event_id))).scalars().all()
            if left == ["recent"]:
                break
            await asyncio.sleep(0.05)
        assert left == ["recent"]
