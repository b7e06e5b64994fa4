"""Jobs, read and changed by field staff and managers of the job's company, and admins. The server sets every time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from services.common.calendar import CurrentCalendar
from services.common.clock import CurrentClock, local_date
from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized, Unprocessable, problem_responses
from services.common.idempotency import IdempotencyKeyReused, IdempotentRequestInFlight
from services.common.rules.models import StepCode
from services.workflow.cases import service as case_service
from services.workflow.evidence import service as evidence_service
from services.workflow.jobs import audit, concurrency, pauses, queries, records, views
from services.workflow.jobs import service as job_service
from services.workflow.jobs.dependencies import (
    FIELD_ROLES,
    CompanyCaller,
    CompanyJob,
    CompanyJobChange,
    CompanyPrincipal,
    ManagedJobChange,
    RecordingJobChange,
    VersionedJobChange,
    company_scope,
)
from services.workflow.jobs.exceptions import (
    JobClosed,
    JobIsPaused,
    JobNotFound,
    JobNotPaused,
    MalformedVersion,
    MissingEvidence,
    StaleVersion,
    StepOutOfOrder,
    VersionRequired,
    VisitBeforeApplication,
    VisitInFuture,
)
from services.workflow.jobs.schemas import (
    AssignmentUpdate,
    AuditEntryRead,
    FeeCreate,
    FeeRead,
    JobPage,
    JobRead,
    PauseCreate,
    Status,
    StepCompletion,
    VisitCreate,
    VisitRead,
)
from services.workflow.staff.exceptions import AssigneeInvalid

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

_AUTH_ERRORS = (Unauthorized, Forbidden)
MAX_DUE_WITHIN = 3650
# Words the assignee filter takes besides a staff id (account ids are UUIDs, so neither can be one).
ASSIGNEE_ME, ASSIGNEE_NONE = "me", "none"


_NO_RECORD = StepCompletion()


@router.get("", response_model=JobPage, responses=problem_responses(*_AUTH_ERRORS, Unprocessable))
async def list_jobs(
    session: DbSession,
    principal: CompanyPrincipal,
    clock: CurrentClock,
    calendar: CurrentCalendar,
    status: Status | None = None,
    step: Annotated[StepCode | None, Query(description="The current step's code.")] = None,
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
    assignee: Annotated[
        str | None,
        Query(
            max_length=64,
            description="`me`: the caller's own queue, their open jobs (unless a status is given) soonest due "
            "first, each with `working_days_left`; `none`: the jobs nobody is assigned to; otherwise a staff id "
            "as `GET /api/v1/staff` lists them.",
        ),
    ] = None,
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
        assignee=principal.subject if assignee == ASSIGNEE_ME else None if assignee == ASSIGNEE_NONE else assignee,
        unassigned=assignee == ASSIGNEE_NONE,
        application_id=application_id,
        queue=assignee == ASSIGNEE_ME,
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
async def read_job(
    session: DbSession,
    principal: CompanyCaller,
    job: CompanyJob,
    clock: CurrentClock,
    calendar: CurrentCalendar,
    response: Response,
) -> JobRead:
    """One job with its steps, pauses, fees and visits; its version is also sent as the ETag.

    Staff and managers of the job's company also get the case (address, contact, documents) for a visit, and
    the evidence uploaded from the site.
    """
    response.headers["ETag"] = concurrency.etag(job)
    read = views.job_read(job, calendar=calendar, now=clock.now())
    if principal.role in FIELD_ROLES:
        read.case = await case_service.read(session, application_id=job.application_id, grid_company=job.grid_company)
        read.evidence = [evidence_service.evidence_read(row) for row in await evidence_service.for_job(session, job.id)]
    return read


@router.get(
    "/{job_id}/history", response_model=list[AuditEntryRead], responses=problem_responses(*_AUTH_ERRORS, JobNotFound)
)
async def read_job_history(session: DbSession, job: CompanyJob) -> list[AuditEntryRead]:
    """Every change to the job, oldest first, each hashed together with the one before."""
    entries = await audit.history(session, job.id)
    return [AuditEntryRead.model_validate(entry, from_attributes=True) for entry in entries]


_COMMON = (Unauthorized, Forbidden, JobNotFound, MalformedVersion, StaleVersion, JobClosed, Unprocessable)


@router.post("/{job_id}/assign", response_model=JobRead, responses=problem_responses(*_COMMON, AssigneeInvalid))
async def assign_job(body: AssignmentUpdate, change: ManagedJobChange, response: Response) -> JobRead:
    """Give the job to an active field engineer of its company (managers and admins); null takes it back."""
    await job_service.assign(
        change.session, change.job, assignee=body.assignee, expected=change.expected, ctx=change.ctx
    )
    return change.answer(response)


@router.post(
    "/{job_id}/steps/{code}/complete",
    response_model=JobRead,
    responses=problem_responses(*_COMMON, VersionRequired, StepOutOfOrder, JobIsPaused, MissingEvidence),
    description="Complete the current step now and start the next; completing the last step connects the job. "
    "The body (optional) is kept on the step. A step the rule set asks evidence for (connecting: a `meter_photo` "
    "uploaded to the job and the `meter_number`) without it is 422 `missing-evidence`, whose "
    "`missing_evidence` lists every kind still needed (and `meter_number`). The audit entry of the completion "
    "lists the SHA-256 of every piece of the step's evidence it relied on.",
)
async def complete_step(
    code: StepCode,
    change: VersionedJobChange,
    response: Response,
    # Optional, but not nullable: generated clients then leave it out rather than send `null`.
    body: Annotated[StepCompletion, Body()] = _NO_RECORD,
) -> JobRead:
    """Complete the current step now and start the next; completing the last step connects the job."""
    assert change.expected is not None  # required by VersionedJobChange
    await job_service.complete_step(
        change.session, change.job, code=code, completion=body, expected=change.expected, ctx=change.ctx
    )
    return change.answer(response)


@router.post("/{job_id}/pause", response_model=JobRead, responses=problem_responses(*_COMMON, JobIsPaused))
async def pause_job(body: PauseCreate, change: CompanyJobChange, response: Response) -> JobRead:
    """Stop the clock for the customer or a government approval; the working days paused are not counted."""
    await pauses.pause(
        change.session, change.job, reason=body.reason, note=body.note, expected=change.expected, ctx=change.ctx
    )
    return change.answer(response)


@router.post("/{job_id}/resume", response_model=JobRead, responses=problem_responses(*_COMMON, JobNotPaused))
async def resume_job(change: CompanyJobChange, response: Response) -> JobRead:
    """Start the clock again; the current step's due date moves later by the working days paused."""
    await pauses.resume(change.session, change.job, expected=change.expected, ctx=change.ctx)
    return change.answer(response)


@router.post(
    "/{job_id}/fees",
    status_code=status.HTTP_201_CREATED,
    response_model=FeeRead,
    responses=problem_responses(*_COMMON, IdempotencyKeyReused, IdempotentRequestInFlight),
)
async def record_fee(body: FeeCreate, change: RecordingJobChange, response: Response) -> FeeRead:
    """Record a fee in yuan; a customer fee where zero investment applies is accepted and flagged.

    Honours `Idempotency-Key`: a fee sent again after a lost answer is recorded once.
    """
    fee = await records.record_fee(change.session, change.job, fee=body, expected=change.expected, ctx=change.ctx)
    return change.reply(response, views.fee_read(fee))


@router.post(
    "/{job_id}/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitRead,
    responses=problem_responses(
        *_COMMON, VisitInFuture, VisitBeforeApplication, IdempotencyKeyReused, IdempotentRequestInFlight
    ),
)
async def record_visit(body: VisitCreate, change: RecordingJobChange, response: Response) -> VisitRead:
    """Record a customer's trip to an office; beyond the category's allowance it is over_allowance.

    Honours `Idempotency-Key`: a visit sent again after a lost answer is recorded once.
    """
    visit = await records.record_visit(change.session, change.job, visit=body, expected=change.expected, ctx=change.ctx)
    return change.reply(response, views.visit_read(visit))
