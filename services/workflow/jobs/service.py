"""A job's life: created from a submission, assigned, stepped through to connection, or withdrawn."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import casetime
from services.intake.events import ApplicationSubmitted
from services.workflow import events
from services.workflow.contractors import service as contractor_service
from services.workflow.jobs import audit, pauses
from services.workflow.jobs.change import Change, apply, job_fields, publish_event
from services.workflow.jobs.context import Context
from services.workflow.jobs.exceptions import JobIsPaused, StepOutOfOrder
from services.workflow.jobs.models import CONNECTED, IN_PROGRESS, PAUSED, WITHDRAWN, Job, JobStep


async def create_from_submission(session: AsyncSession, *, case: ApplicationSubmitted, ctx: Context) -> Job | None:
    """A job with the steps of the case's rule set, its first step started at submission; None if one exists."""
    category = ctx.category(case.rule_set, case.category).for_customer(important=case.important_customer)
    if await session.scalar(select(Job.id).where(Job.application_id == case.application_id)) is not None:
        return None
    first = category.steps[0]
    first_due = casetime.due(ctx.calendar, started_at=case.submitted_at, limit=first.limit_working_days)
    steps = [
        JobStep(
            position=position,
            code=rule.code,
            name=rule.name,
            limit_working_days=rule.limit_working_days,
            started_at=case.submitted_at if position == 0 else None,
            due_on=first_due.date if position == 0 else None,
            due_on_provisional=first_due.provisional if position == 0 else False,
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
        current_step=first.code,
        due_on=first_due.date,
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
    try:
        async with session.begin_nested():
            session.add(job)
            await session.flush()
    except IntegrityError:
        return None  # a concurrent delivery of another submission event for the case made it first
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
    """Give the job to a member of the company's staff (None: to nobody)."""

    def reassign() -> Change:
        previous, job.assignee = job.assignee, assignee
        return Change("assigned", {"assignee": assignee, "previous": previous})

    await apply(session, job, reassign, ctx=ctx, expected=expected)
    return job


async def complete_step(session: AsyncSession, job: Job, *, code: str, expected: int, ctx: Context) -> Job:
    """Complete the current step at the server's time and start the next; the last one connects."""

    def complete() -> Change:
        if job.status == PAUSED:
            raise JobIsPaused("The job is paused; resume it before completing a step.")
        step = job.current
        if step is None or step.code != code:
            raise StepOutOfOrder(f"The current step is {job.current_step}, not {code}.", current_step=job.current_step)
        assert step.started_at is not None
        step.completed_at, step.completed_by = ctx.now, ctx.actor
        step.elapsed_working_days = casetime.elapsed(
            ctx.calendar, started_at=step.started_at, until=ctx.now, paused=step.paused_working_days
        )
        step.overdue = casetime.is_overdue(ctx.calendar, due_on=step.due_on, today=ctx.today)
        following = next((s for s in job.steps if s.position == step.position + 1), None)
        details = {"step": code, "elapsed_working_days": step.elapsed_working_days, "overdue": step.overdue}
        if following is not None:
            due = casetime.due(ctx.calendar, started_at=ctx.now, limit=following.limit_working_days)
            following.started_at, following.due_on, following.due_on_provisional = ctx.now, due.date, due.provisional
            job.current_step, job.due_on = following.code, due.date
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
