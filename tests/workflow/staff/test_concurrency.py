"""An assignment and a deactivation at the same moment never leave a job with an engineer who has left."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.clock import FixedClock
from services.common.db import Database
from services.common.state import ServiceState
from services.intake.events import StaffChanged
from services.workflow.jobs import service as job_service
from services.workflow.jobs.context import build_context
from services.workflow.jobs.models import Job
from services.workflow.staff import service as staff_service
from services.workflow.staff.exceptions import AssigneeInvalid
from tests.support.services import Service
from tests.workflow.support import Callers, add_staff, staff_changed, submit


async def _deactivate(session: AsyncSession, state: ServiceState, clock: FixedClock) -> None:
    """What the handler of account.staff_changed does for a deactivation, in the session's transaction."""
    change = StaffChanged.model_validate(staff_changed("bj-eng", revision=2, active=False))
    await staff_service.record(session, change=change, now=clock.now())
    ctx = await build_context(state, session, actor="service:intake")
    await job_service.unassign_departed(session, staff_id="bj-eng", ctx=ctx)


async def _assign(session: AsyncSession, state: ServiceState, job_id: str) -> None:
    job = await session.get(Job, job_id)
    assert job is not None
    ctx = await build_context(state, session, actor="manager-1")
    await job_service.assign(session, job, assignee="bj-eng", expected=None, ctx=ctx)


async def _assignee(database: Database, job_id: str) -> str | None:
    async with database.sessionmaker() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job.assignee


async def test_a_deactivation_waiting_behind_an_assignment_takes_the_job_back(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job_id = (await submit(workflow, clock, callers))["id"]
    await add_staff(workflow, clock, "bj-eng")
    database: Database = workflow.app.state.database
    state: ServiceState = workflow.app.state.service

    async def deactivate_in(session: AsyncSession) -> None:
        async with session.begin():
            await _deactivate(session, state, clock)

    async with database.sessionmaker() as first, database.sessionmaker() as second:
        async with first.begin():
            await _assign(first, state, job_id)
            leaving = asyncio.create_task(deactivate_in(second))
            await asyncio.sleep(0.3)
            # The deactivation waits for the assignment (the directory entry's lock, or SQLite's write lock).
            assert not leaving.done()
        await leaving

    assert await _assignee(database, job_id) is None


async def test_an_assignment_waiting_behind_a_deactivation_is_refused(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job_id = (await submit(workflow, clock, callers))["id"]
    await add_staff(workflow, clock, "bj-eng")
    database: Database = workflow.app.state.database
    state: ServiceState = workflow.app.state.service

    async def assign_in(session: AsyncSession) -> None:
        async with session.begin():
            await _assign(session, state, job_id)

    async with database.sessionmaker() as first, database.sessionmaker() as second:
        async with first.begin():
            await _deactivate(first, state, clock)
            assigning = asyncio.create_task(assign_in(second))
            await asyncio.sleep(0.3)
            assert not assigning.done()
        with pytest.raises(AssigneeInvalid):
            await assigning

    assert await _assignee(database, job_id) is None
