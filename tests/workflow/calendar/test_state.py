"""The app's calendar: seeded once from chinesecalendar, reloaded when a year is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from services.common.calendar import WorkingDayCalendar
from services.common.clock import FixedClock
from services.workflow.app import create_app
from services.workflow.calendar.loading import load_calendar_file
from services.workflow.db import calendar_tables
from services.workflow.settings import WorkflowSettings
from tests.support.services import Network, Service, run_service


@pytest.fixture
async def slow_reloading(
    workflow_url: str, var_dir: Path, network: Network, clock: FixedClock, jwks_file: Path
) -> AsyncIterator[Service]:
    """A workflow service that asks the database about the calendar at most once an hour."""
    async with run_service(
        "workflow",
        database_url=workflow_url,
        var_dir=var_dir,
        network=network,
        clock=clock,
        jwks_file=jwks_file,
        calendar_reload_seconds=3600,
    ) as service:
        yield service


async def _year_count(service: Service) -> tuple[int, int]:
    async with service.app.state.database.sessionmaker() as session:
        years = await session.scalar(select(func.count()).select_from(calendar_tables.year))
        days = await session.scalar(select(func.count()).select_from(calendar_tables.day))
    return int(years or 0), int(days or 0)


async def test_startup_seeds_an_empty_calendar_from_chinesecalendar(workflow: Service) -> None:
    years, days = await _year_count(workflow)

    assert years == 2026 - 2004 + 1
    assert days > 600
    assert workflow.app.state.service.live_calendar.calendar.is_published(2026)
    assert not workflow.app.state.service.live_calendar.calendar.is_published(2027)


async def test_a_second_start_keeps_the_stored_calendar(
    workflow: Service, workflow_url: str, var_dir: Path, network: Network, jwks_file: Path
) -> None:
    before = await _year_count(workflow)

    async with run_service(
        "workflow", database_url=workflow_url, var_dir=var_dir, network=Network(), jwks_file=jwks_file
    ) as again:
        assert await _year_count(again) == before


async def test_a_stored_year_is_used_after_the_calendar_is_read_again(
    slow_reloading: Service, workflow_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text("year: 2027\nholidays:\n  - {date: 2027-01-01, name: 元旦}\n", encoding="utf-8")
    await load_calendar_file(workflow_url, path, now=datetime(2026, 11, 27, tzinfo=UTC), subscribers=[])
    url, params = "/api/v1/calendar/add-working-days", {"start": "2026-12-31", "days": "1"}

    before = (await slow_reloading.client.get(url, params=params)).json()
    async with slow_reloading.app.state.database.sessionmaker() as session:
        await slow_reloading.app.state.service.live_calendar.reload(session)
    after = (await slow_reloading.client.get(url, params=params)).json()

    assert before == {"date": "2027-01-01", "provisional": True}  # not asked again within the hour
    assert after == {"date": "2027-01-04", "provisional": False}


async def test_a_calendar_passed_in_is_used_as_is(workflow_url: str, jwks_file: Path, clock: FixedClock) -> None:
    settings = WorkflowSettings(database_url=workflow_url, jwks_file=jwks_file, relay_enabled=False)
    app = create_app(settings, clock=clock, calendar=WorkingDayCalendar([]))

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://workflow") as client,
    ):
        response = await client.get("/api/v1/calendar/add-working-days", params={"start": "2026-09-30", "days": 1})

    # Weekends only: 1 October counts, as no year's schedule was given.
    assert response.json() == {"date": "2026-10-01", "provisional": True}


async def test_replicas_starting_together_seed_the_calendar_once(
    workflow_url: str, jwks_file: Path, clock: FixedClock
) -> None:
    settings = WorkflowSettings(database_url=workflow_url, jwks_file=jwks_file, relay_enabled=False)
    apps = [create_app(settings, clock=clock) for _ in range(2)]
    lifespans = [app.router.lifespan_context(app) for app in apps]

    await asyncio.gather(*(lifespan.__aenter__() for lifespan in lifespans))
    try:
        async with apps[0].state.database.sessionmaker() as session:
            years = await session.scalar(select(func.count()).select_from(calendar_tables.year))
        published = [app.state.service.live_calendar.calendar.is_published(2026) for app in apps]
    finally:
        for lifespan in lifespans:
            await lifespan.__aexit__(None, None, None)

    assert (years, published) == (2026 - 2004 + 1, [True, True])
