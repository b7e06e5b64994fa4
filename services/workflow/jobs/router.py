"""Reading jobs and their audit chains: field staff and managers of the job's company, and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.common.calendar import CurrentCalendar
from services.common.clock import CurrentClock, local_date
from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized, Unprocessable, problem_responses
from services.workflow.jobs import audit, concurrency, queries, views
from services.workflow.jobs.dependencies import CompanyJob, CompanyPrincipal, ManagerPrincipal, company_scope
from services.workflow.jobs.exceptions import JobNotFound
from services.workflow.jobs.schemas import AuditEntryRead, AuditReport, JobPage, JobRead, Status

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])
audit_router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

_AUTH_ERRORS = (Unauthorized, Forbidden)
MAX_DUE_WITHIN = 3650


@router.get("", response_model=JobPage, responses=problem_responses(*_AUTH_ERRORS, Unprocessable))
async def list_jobs(
    session: DbSession,
    principal: CompanyPrincipal,
    clock: CurrentClock,
    calendar: CurrentCalendar,
    status: Status | None = None,
    step: Annotated[str | None, Query(max_length=32, description="The current step's code.")] = None,
    overdue: Annotated[bool | None, Query(description="Whether the current step is past due.")] = None,
    due_within: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_DUE_WITHIN,
            description="In-progress jobs whose current step is due within this many "
            "working days from today (overdue ones included; add overdue=false to leave them out).",
        ),
    ] = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
    application_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JobPage:
    """The jobs of the caller's grid company (every company's for an admin), newest submission first."""
    now = clock.now()
    filters = queries.JobFilters(
        status=status,
        step=step,
        overdue=overdue,
        due_within=due_within,
        assignee=assignee,
        application_id=application_id,
    )
    jobs, total = await queries.page(
        session,
        grid_company=company_scope(principal),
        filters=filters,
        calendar=calendar,
        today=local_date(now),
        limit=limit,
        offset=offset,
    )
    items = [views.job_read(job, calendar=calendar, now=now) for job in jobs]
    return JobPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{job_id}", response_model=JobRead, responses=problem_responses(*_AUTH_ERRORS, JobNotFound))
async def read_job(job: CompanyJob, clock: CurrentClock, calendar: CurrentCalendar, response: Response) -> JobRead:
    """One job with its steps, pauses, fees and visits; its version is also sent as the ETag."""
    response.headers["ETag"] = concurrency.etag(job)
    return views.job_read(job, calendar=calendar, now=clock.now())


@router.get(
    "/{job_id}/history", response_model=list[AuditEntryRead], responses=problem_responses(*_AUTH_ERRORS, JobNotFound)
)
async def job_history(session: DbSession, job: CompanyJob) -> list[AuditEntryRead]:
    """Every change to the job, oldest first, each hashed together with the one before."""
    entries = await audit.history(session, job.id)
    return [AuditEntryRead.model_validate(entry, from_attributes=True) for entry in entries]


@audit_router.get(
    "/verify", response_model=AuditReport, responses=problem_responses(*_AUTH_ERRORS, JobNotFound, Unprocessable)
)
async def verify_audit(
    session: DbSession,
    principal: ManagerPrincipal,
    job_id: Annotated[str | None, Query(max_length=36, description="Verify this job's chain only.")] = None,
) -> AuditReport:
    """Recompute the audit chains of the caller's company (every company's for an admin)."""
    scope = company_scope(principal)
    if job_id is not None:
        await queries.get(session, job_id, grid_company=scope)
    return await audit.verify(session, grid_company=scope, job_id=job_id)
