"""The version claim is one atomic UPDATE: a transaction that waited for another's change loses."""

from __future__ import annotations

import asyncio
from typing import Annotated, get_origin, get_type_hints

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.clock import FixedClock
from services.common.db import Database
from services.workflow.db import event_tables
from services.workflow.jobs import concurrency, queries
from services.workflow.jobs.change import apply
from services.workflow.jobs.context import build_context
from services.workflow.jobs.dependencies import JobChange
from services.workflow.jobs.exceptions import StaleVersion
from services.workflow.jobs.models import Job
from tests.support.services import Service
from tests.workflow.support import Callers, published, submit


@pytest.mark.parametrize("header", ["3", '"3"', 'W/"3"', " 3 "])
def test_if_match_is_read_bare_or_as_an_etag(header: str) -> None:
    assert concurrency.parse_version(header) == 3


async def test_a_claim_waiting_on_a_committed_claim_of_the_same_version_is_stale(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job_id = (await submit(workflow, clock, callers))["id"]
    database: Database = workflow.app.state.database

    async def claim_in(session: AsyncSession, job: Job) -> None:
        async with session.begin():
            await concurrency.claim(session, job, expected=1)
            await concurrency.settle(session, job, [], event_tables)

    async with database.sessionmaker() as first, database.sessionmaker() as second:
        async with second.begin():
            late = await second.get(Job, job_id)
        assert late is not None and late.version == 1
        async with first.begin():
            early = await first.get(Job, job_id)
            assert early is not None
            await concurrency.claim(first, early, expected=1)
            await concurrency.settle(first, early, [], event_tables)
            waiting = asyncio.create_task(claim_in(second, late))
            await asyncio.sleep(0.3)
            # The second claim waits for the first transaction (its row lock, or SQLite's write lock).
            assert not waiting.done()
        with pytest.raises(StaleVersion):
            await waiting

    async with database.sessionmaker() as session:
        final = await session.get(Job, job_id)
        assert final is not None and final.version == 2


async def test_a_change_without_if_match_that_waited_applies_to_the_job_as_left(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job_id = (await submit(workflow, clock, callers))["id"]
    database: Database = workflow.app.state.database

    async with database.sessionmaker() as first, database.sessionmaker() as second:
        async with second.begin():
            late = await second.get(Job, job_id)
        assert late is not None
        async with first.begin():
            early = await first.get(Job, job_id)
            assert early is not None
            await concurrency.claim(first, early, expected=None)
            early.assignee = "staff-9"
        async with second.begin():
            await concurrency.claim(second, late, expected=None)
            seen = (late.version, late.assignee, [s.code for s in late.steps])

    assert seen == (3, "staff-9", ["accept", "connect"])


async def test_only_a_change_sent_with_if_match_is_written_without_a_transaction(
    workflow: Service, clock: FixedClock, callers: Callers, backend: str
) -> None:
    job = await submit(workflow, clock, callers)
    database: Database = workflow.app.state.service.database
    engines = {"transactional": database.engine.sync_engine}
    if database.autocommit is not None:
        engines["autocommit"] = database.autocommit.sync_engine
    used: list[str] = []
    listeners = {name: (lambda *_, name=name: used.append(name)) for name in engines}
    for name, engine in engines.items():
        event.listen(engine, "before_cursor_execute", listeners[name])
    try:
        # Without If-Match the job is taken by an UPDATE whose row lock lasts until the commit.
        unversioned = await workflow.client.post(
            f"/api/v1/jobs/{job['id']}/pause", json={"reason": "customer_request"}, headers=callers.staff()
        )
        without = sorted(set(used))
        used.clear()
        versioned = await workflow.client.post(
            f"/api/v1/jobs/{job['id']}/resume", headers={**callers.staff(), "If-Match": unversioned.headers["etag"]}
        )
        with_version = sorted(set(used))
    finally:
        for name, engine in engines.items():
            event.remove(engine, "before_cursor_execute", listeners[name])

    assert (unversioned.status_code, versioned.status_code) == (200, 200), versioned.text
    assert without == ["transactional"]
    assert with_version == (["autocommit"] if backend == "postgres" else ["transactional"])


async def test_a_change_that_finds_nothing_to_do_takes_the_version_and_writes_nothing_else(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job_id = (await submit(workflow, clock, callers))["id"]
    state = workflow.app.state.service

    async with state.database.sessionmaker() as session, session.begin():
        job = await queries.get(session, job_id, grid_company=None)
        ctx = await build_context(state, session, actor="intake")
        # As a second word of a signature already recorded: nothing to audit or publish.
        change = await apply(session, job, lambda: None, ctx=ctx, expected=None)

    assert change is None
    read = (await workflow.client.get(f"/api/v1/jobs/{job_id}", headers=callers.admin())).json()
    history = (await workflow.client.get(f"/api/v1/jobs/{job_id}/history", headers=callers.admin())).json()
    assert (read["version"], [entry["action"] for entry in history]) == (2, ["created"])
    assert [e["type"] for e in await published(workflow)] == ["job.created"]


async def test_every_change_of_one_job_is_made_through_a_job_change(workflow: Service) -> None:
    # A JobChange decides how the change is written (one statement at the client's version, or a transaction);
    # a route that opened its own session instead would write a job outside that decision.
    changes = [
        route
        for route in iter_route_contexts(workflow.app.routes)
        if "POST" in (route.methods or ()) and str(route.path).startswith("/api/v1/jobs/{job_id}/")
    ]
    without = [
        route.path
        for route in changes
        if not any(
            get_origin(hint) is Annotated and hint.__origin__ is JobChange
            for hint in get_type_hints(route.endpoint, include_extras=True).values()
        )
    ]

    assert len(changes) >= 8  # assign, complete, pause, resume, fees, visits, evidence, contractor
    assert without == []
