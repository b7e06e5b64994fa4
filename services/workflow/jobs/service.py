"""A job's life: created from a submission, assigned, stepped through to connection, or withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import casetime
from services.intake.events import ApplicationSubmitted
from services.workflow import events
from services.workflow.contractors import service as contractor_service
from services.workflow.evidence.models import JobEvidence
from services.workflow.jobs import audit, clocks, pauses
from services.workflow.jobs.change import Change, apply, job_fields, publish_event
from services.workflow.jobs.context import Context
from services.workflow.jobs.exceptions import JobIsPaused, MissingEvidence, StepOutOfOrder
from services.workflow.jobs.models import CONNECTED, IN_PROGRESS, OPEN_STATUSES, PAUSED, WITHDRAWN, Job, JobStep
from services.workflow.jobs.schemas import StepCompletion
from services.workflow.staff import service as staff_service


async def create_from_submission(session: AsyncSession, *, case: ApplicationSubmitted, ctx: Context) -> Job | None:
    """A job with the steps of the case's rule set, its first step started at submission; None if one exists."""
    category = ctx.category(case.rule_set, case.category).for_customer(important=case.important_customer)
    # Not flushed first: the jobs of a batch's earlier events are written together when it commits. A second
    # job for one case is then refused by the unique application_id, and its event delivered again.
    with session.no_autoflush:
        if await session.scalar(select(Job.id).where(Job.application_id == case.application_id)) is not None:
            return None
    steps = [
        JobStep(
            position=position,
            code=rule.code,
            name=rule.name,
            limit_working_days=rule.limit_working_days,
            due_on_provisional=False,
            paused_working_days=0,
            overdue=False,
        )
        for position, rule in enumerate(category.steps)
    ]
    job = Job(
        id=str(uuid.uuid4()),
        application_id=case.application_id,
        status=IN_PROGRESS,
        category=category.code,
        grid_company=case.grid_company,
        region=case.region,
        rule_set=case.rule_set,
        paused_while_overdue=False,
        paused_working_days=0,
        submitted_at=case.submitted_at,
        version=1,
        audit_seq=0,
        audit_hash=audit.GENESIS,
        steps=steps,
        pauses=[],
        fees=[],
        visits=[],
    )
    clocks.start_step(job, steps[0], at=case.submitted_at, calendar=ctx.calendar)
    session.add(job)
    audit.append(
        session,
        job,
        at=ctx.now,
        actor=ctx.actor,
        action="created",
        details={
            "application_id": case.application_id,
            "rule_set": case.rule_set,
            "category": category.code,
            "grid_company": case.grid_company,
            "submitted_at": case.submitted_at.isoformat(),
            "steps": [step.code for step in category.steps],
        },
    )
    whole = casetime.due(ctx.calendar, started_at=case.submitted_at, limit=category.total_limit_working_days)
    created = events.JobCreated(
        **job_fields(job, ctx),
        category=category.code,
        due_on=whole.date,
        rule_set=case.rule_set,
        total_limit_working_days=category.total_limit_working_days,
        submitted_at=case.submitted_at,
    )
    await publish_event(session, ctx, job, created)
    return job


async def withdraw(session: AsyncSession, job: Job, *, withdrawn_at: datetime, ctx: Context) -> None:
    """Close an open job because the applicant withdrew; a job already closed stays as it is."""
    if not job.is_open:
        return

    def close() -> Change | None:
        if not job.is_open:
            return None  # a connection that got there first wins
        if job.status == PAUSED:
            pauses.end_pause(job, ctx)
        job.status, job.withdrawn_at, job.current_step, job.due_on = WITHDRAWN, withdrawn_at, None, None
        return Change("withdrawn", {"withdrawn_at": withdrawn_at.isoformat()})

    # Taken without a version: a withdrawal that waited behind another change applies after it.
    await apply(session, job, close, ctx=ctx, expected=None, open_only=False)


async def record_contract_signed(
    session: AsyncSession, job: Job, *, signed_at: datetime, sha256: str, ctx: Context
) -> None:
    """Note on the job that the applicant signed the supply contract online: no visit is needed to sign."""

    def record() -> Change | None:
        if job.contract_signed_at is not None:
            return None  # intake signs a contract once; a second word of it changes nothing
        job.contract_signed_at, job.contract_sha256 = signed_at, sha256
        return Change("contract_signed", {"signed_at": signed_at.isoformat(), "sha256": sha256})

    # Whatever the job's state: a signature given before a withdrawal or a connection was still given.
    await apply(session, job, record, ctx=ctx, expected=None, open_only=False)


async def assign(session: AsyncSession, job: Job, *, assignee: str | None, expected: int | None, ctx: Context) -> Job:
    """Give the job to an active field engineer of its company (None: to nobody); 422 for anyone else."""
    if assignee is not None and job.is_open:  # a closed job is 409 job-closed, whoever is named
        await staff_service.require_assignable(session, assignee=assignee, grid_company=job.grid_company)

    def reassign() -> Change:
        previous, job.assignee = job.assignee, assignee
        reason = "assigned" if assignee is not None else "unassigned"
        return Change(
            "assigned",
            {"assignee": assignee, "previous": previous},
            events.JobAssigned,
            {"assigned": assignee is not None, "reason": reason},
        )

    await apply(session, job, reassign, ctx=ctx, expected=expected)
    return job


async def unassign_departed(session: AsyncSession, *, staff_id: str, ctx: Context) -> int:
    """Take every open job back from an engineer who may hold none now; how many went back to the queue."""
    jobs = (
        await session.scalars(
            select(Job).where(Job.assignee == staff_id, Job.status.in_(OPEN_STATUSES)).order_by(Job.id)
        )
    ).all()
    for job in jobs:

        def release(job: Job = job) -> Change | None:
            if job.assignee != staff_id:
                return None  # reassigned while this waited for the job
            job.assignee = None
            return Change(
                "assigned",
                {"assignee": None, "previous": staff_id, "reason": "assignee_deactivated"},
                events.JobAssigned,
                {"assigned": False, "reason": "assignee_deactivated"},
            )

        # Taken without a version: it applies after whatever change the job was in the middle of.
        await apply(session, job, release, ctx=ctx, expected=None)
    return len(jobs)


async def complete_step(
    session: AsyncSession, job: Job, *, code: str, completion: StepCompletion, expected: int, ctx: Context
) -> Job:
    """Complete the current step at the server's time and start the next; the last one connects.

    The step must have the evidence its rule set asks for; the audit entry lists the hashes it relied on.
    """
    # As read with the job: an upload since then changed the version, and the claim then fails.
    evidence = [row for row in job.evidence if row.step_code == code] if code == job.current_step else []

    def complete() -> Change:
        if job.status == PAUSED:
            raise JobIsPaused("The job is paused; resume it before completing a step.")
        step = job.current
        if step is None or step.code != code:
            raise StepOutOfOrder(f"The current step is {job.current_step}, not {code}.", current_step=job.current_step)
        assert step.started_at is not None
        _require_evidence(job, code, completion, evidence, ctx)
        step.note, step.meter_number, step.meter_reading = (
            completion.note,
            completion.meter_number,
            completion.meter_reading,
        )
        step.completed_at, step.completed_by = ctx.now, ctx.actor
        step.elapsed_working_days = casetime.elapsed(
            ctx.calendar, started_at=step.started_at, until=ctx.now, paused=step.paused_working_days
        )
        step.overdue = casetime.is_overdue(ctx.calendar, due_on=step.due_on, today=ctx.today)
        following = next((s for s in job.steps if s.position == step.position + 1), None)
        details = {
            "step": code,
            "elapsed_working_days": step.elapsed_working_days,
            "overdue": step.overdue,
            **_recorded(completion, evidence),
        }
        if following is not None:
            clocks.start_step(job, following, at=ctx.now, calendar=ctx.calendar)
            return Change(
                "step_completed",
                {**details, "next_step": following.code, "connected": False},
                events.JobStepCompleted,
                {"step": code, "elapsed_working_days": step.elapsed_working_days, "overdue": step.overdue},
            )
        job.status, job.connected_at, job.current_step, job.due_on = CONNECTED, ctx.now, None, None
        return Change(
            "step_completed",
            {**details, "next_step": None, "connected": True},
            events.JobConnected,
            _connection(job, ctx),
        )

    if code == "completion_inspection" and job.current_step == code:
        # The contractor's licence is checked against the registry before the inspection may be passed.
        await contractor_service.check_before_completion_inspection(session, job, ctx=ctx)
    await apply(session, job, complete, ctx=ctx, expected=expected)
    return job


def _require_evidence(
    job: Job, code: str, completion: StepCompletion, evidence: Sequence[JobEvidence], ctx: Context
) -> None:
    """422 missing-evidence listing every kind (and `meter_number`) the step still needs, all at once."""
    needed = ctx.evidence_for(job.rule_set, code)
    missing = needed.missing(uploaded=(row.kind for row in evidence), meter_number=completion.meter_number)
    if missing:
        raise MissingEvidence(
            f"Completing {code} needs {', '.join(missing)}: upload the evidence to the job "
            "(POST /api/v1/jobs/{id}/evidence) and send the meter's number in the body.",
            missing_evidence=missing,
        )


def _recorded(completion: StepCompletion, evidence: Sequence[JobEvidence]) -> dict[str, Any]:
    """What a completion's audit entry keeps of the engineer's record, and the evidence it relied on (plain JSON)."""
    return {
        "note": completion.note,
        "meter_number": completion.meter_number,
        "meter_reading": None if completion.meter_reading is None else str(completion.meter_reading),
        "evidence": [{"id": row.id, "kind": row.kind, "sha256": row.sha256} for row in evidence],
    }


def _connection(job: Job, ctx: Context) -> dict[str, object]:
    """The figures of a connected case, as workflow reports them: the one count of its time."""
    # The total limit of the steps this case had: an ordinary customer's is without the important ones'.
    category = ctx.category(job.rule_set, job.category).held_with(step.code for step in job.steps)
    working_days = casetime.elapsed(
        ctx.calendar, started_at=job.submitted_at, until=ctx.now, paused=job.paused_working_days
    )
    return {
        "connected_at": ctx.now,
        "working_days": working_days,
        "paused_working_days": job.paused_working_days,
        "customer_cost_yuan": sum((f.amount_yuan for f in job.fees if f.payer == "customer"), Decimal("0.00")),
        "visits": len(job.visits),
        "within_limit": working_days <= category.total_limit_working_days and not any(s.overdue for s in job.steps),
        "category": job.category,
    }
