"""Finding jobs: one by id within a company, or a filtered page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, bindparam, func, not_, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.workflow.jobs.exceptions import JobNotFound
from services.workflow.jobs.models import IN_PROGRESS, OPEN_STATUSES, PAUSED, Job
from services.workflow.staff import service as staff_service


@dataclass(frozen=True)
class JobFilters:
    """What a list of jobs may be narrowed by; None means no filter."""

    status: str | None = None
    step: str | None = None
    overdue: bool | None = None
    due_within: int | None = None
    assignee: str | None = None
    unassigned: bool = False
    application_id: str | None = None
    # A field engineer's queue: open jobs only (unless a status is asked for), soonest due first.
    queue: bool = False


# One statement for the job and everything on it: a change reads, and answers with, all of it. Built once and
# sent with the ids as parameters: building it (five joined loads) for every request cost more CPU than reading.
_WHOLE_JOB = tuple(joinedload(lists) for lists in (Job.steps, Job.pauses, Job.fees, Job.visits, Job.evidence))
_JOB = select(Job, null().label("caller_active")).where(Job.id == bindparam("job_id")).options(*_WHOLE_JOB)
_JOB_AND_CALLER = (
    select(Job, staff_service.listed_active(bindparam("caller")).label("caller_active"))
    .where(Job.id == bindparam("job_id"))
    .options(*_WHOLE_JOB)
)


async def get(session: AsyncSession, job_id: str, *, grid_company: str | None, caller: str | None = None) -> Job:
    """A job of the company (any job when grid_company is None); another company's job is 404.

    With `caller`, a directory account whose token made the request: 401 if it is deactivated, read in the
    job's own statement.
    """
    query, parameters = (
        (_JOB, {"job_id": job_id}) if caller is None else (_JOB_AND_CALLER, {"job_id": job_id, "caller": caller})
    )
    row = (await session.execute(query, parameters)).unique().one_or_none()
    if caller is not None:
        if row is None:
            await staff_service.refuse_if_deactivated(session, caller)
        else:
            staff_service.refuse_deactivated(row.caller_active)
    job: Job | None = None if row is None else row.Job
    if job is None or (grid_company is not None and job.grid_company != grid_company):
        raise JobNotFound(f"No job {job_id}.")
    return job


def _overdue(calendar: WorkingDayCalendar, today: date) -> ColumnElement[bool]:
    cutoff = casetime.overdue_cutoff(calendar, today)
    return or_(
        and_(Job.status == IN_PROGRESS, Job.due_on < cutoff),
        and_(Job.status == PAUSED, Job.paused_while_overdue.is_(True)),
    )


async def page(
    session: AsyncSession,
    *,
    grid_company: str | None,
    filters: JobFilters,
    calendar: WorkingDayCalendar,
    today: date,
    limit: int,
    offset: int,
) -> tuple[Sequence[Job], int]:
    """A page of jobs, newest submission first (a queue: soonest due first), and how many match."""
    query = select(Job)
    if grid_company is not None:
        query = query.where(Job.grid_company == grid_company)
    if filters.status is not None:
        query = query.where(Job.status == filters.status)
    if filters.step is not None:
        query = query.where(Job.current_step == filters.step)
    if filters.assignee is not None:
        query = query.where(Job.assignee == filters.assignee)
    if filters.unassigned:
        query = query.where(Job.assignee.is_(None))
    if filters.queue and filters.status is None:
        query = query.where(Job.status.in_(OPEN_STATUSES))
    if filters.application_id is not None:
        query = query.where(Job.application_id == filters.application_id)
    if filters.overdue is not None:
        overdue = _overdue(calendar, today)
        query = query.where(overdue if filters.overdue else not_(overdue))
    if filters.due_within is not None:
        # A paused job's clock is stopped: nothing of it comes due until it resumes.
        horizon = casetime.due_within(calendar, today, filters.due_within)
        query = query.where(Job.status == IN_PROGRESS, Job.due_on <= horizon)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (
        (Job.due_on.is_(None), Job.due_on, Job.submitted_at, Job.id)
        if filters.queue
        else (Job.submitted_at.desc(), Job.id)
    )
    jobs = await session.scalars(query.order_by(*order).limit(limit).offset(offset))
    return jobs.all(), total
