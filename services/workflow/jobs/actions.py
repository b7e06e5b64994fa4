"""Changing jobs: assign, complete steps, pause and resume, record fees and visits. The server sets every time."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized, Unprocessable, problem_responses
from services.workflow.jobs import concurrency, pauses, records, views
from services.workflow.jobs import service as job_service
from services.workflow.jobs.dependencies import CompanyJob, IfMatch, JobContext, ManagedJob, RequiredIfMatch
from services.workflow.jobs.exceptions import (
    JobClosed,
    JobIsPaused,
    JobNotFound,
    JobNotPaused,
    MalformedVersion,
    StaleVersion,
    StepOutOfOrder,
    VersionRequired,
    VisitBeforeApplication,
    VisitInFuture,
)
from services.workflow.jobs.schemas import (
    AssignmentUpdate,
    FeeCreate,
    FeeRead,
    JobRead,
    PauseCreate,
    VisitCreate,
    VisitRead,
)

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

_COMMON = (Unauthorized, Forbidden, JobNotFound, MalformedVersion, StaleVersion, JobClosed, Unprocessable)


@router.post("/{job_id}/assign", response_model=JobRead, responses=problem_responses(*_COMMON))
async def assign_job(
    body: AssignmentUpdate, session: DbSession, job: ManagedJob, version: IfMatch, ctx: JobContext, response: Response
) -> JobRead:
    """Give the job to a member of the company's staff (managers and admins)."""
    await job_service.assign(session, job, assignee=body.assignee, expected=version, ctx=ctx)
    response.headers["ETag"] = concurrency.etag(job)
    return views.job_read(job, calendar=ctx.calendar, now=ctx.now)


@router.post(
    "/{job_id}/steps/{code}/complete",
    response_model=JobRead,
    responses=problem_responses(*_COMMON, VersionRequired, StepOutOfOrder, JobIsPaused),
)
async def complete_step(
    code: str, session: DbSession, job: CompanyJob, version: RequiredIfMatch, ctx: JobContext, response: Response
) -> JobRead:
    """Complete the current step now and start the next; completing the last step connects the job."""
    await job_service.complete_step(session, job, code=code, expected=version, ctx=ctx)
    response.headers["ETag"] = concurrency.etag(job)
    return views.job_read(job, calendar=ctx.calendar, now=ctx.now)


@router.post("/{job_id}/pause", response_model=JobRead, responses=problem_responses(*_COMMON, JobIsPaused))
async def pause_job(
    body: PauseCreate, session: DbSession, job: CompanyJob, version: IfMatch, ctx: JobContext, response: Response
) -> JobRead:
    """Stop the clock for the customer or a government approval; the working days paused are not counted."""
    await pauses.pause(session, job, reason=body.reason, note=body.note, expected=version, ctx=ctx)
    response.headers["ETag"] = concurrency.etag(job)
    return views.job_read(job, calendar=ctx.calendar, now=ctx.now)


@router.post("/{job_id}/resume", response_model=JobRead, responses=problem_responses(*_COMMON, JobNotPaused))
async def resume_job(
    session: DbSession, job: CompanyJob, version: IfMatch, ctx: JobContext, response: Response
) -> JobRead:
    """Start the clock again; the current step's due date moves later by the working days paused."""
    await pauses.resume(session, job, expected=version, ctx=ctx)
    response.headers["ETag"] = concurrency.etag(job)
    return views.job_read(job, calendar=ctx.calendar, now=ctx.now)


@router.post(
    "/{job_id}/fees",
    status_code=status.HTTP_201_CREATED,
    response_model=FeeRead,
    responses=problem_responses(*_COMMON),
)
async def record_fee(
    body: FeeCreate, session: DbSession, job: CompanyJob, version: IfMatch, ctx: JobContext, response: Response
) -> FeeRead:
    """Record a fee in yuan; a customer fee where zero investment applies is accepted and flagged."""
    fee = await records.record_fee(session, job, fee=body, expected=version, ctx=ctx)
    response.headers["ETag"] = concurrency.etag(job)
    return views.fee_read(fee)


@router.post(
    "/{job_id}/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitRead,
    responses=problem_responses(*_COMMON, VisitInFuture, VisitBeforeApplication),
)
async def record_visit(
    body: VisitCreate, session: DbSession, job: CompanyJob, version: IfMatch, ctx: JobContext, response: Response
) -> VisitRead:
    """Record a customer's trip to an office; beyond the category's allowance it is over_allowance."""
    visit = await records.record_visit(session, job, visit=body, expected=version, ctx=ctx)
    response.headers["ETag"] = concurrency.etag(job)
    return views.visit_read(visit)
