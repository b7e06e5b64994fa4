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
from services.workflow.jobs import audit, concurrency, pauses
from services.workflow.jobs.context import Context
from services.workflow.jobs.exceptions import JobIsPaused, StepOutOfOrder
from services.workflow.jobs.models import CONNECTED, IN_PROGRESS, OPEN_STATUSES, PAUSED, WITHDRAWN, Job, JobStep
from services.workflow.jobs.publishing import job_fields, publish_job_event


async def create_from_submission(session: AsyncSession, *, case: ApplicationSubmitted, ctx: Context) -> Job | None:
    """A job with the steps of the case's rule set, its first step started at submission; None if one exists."""
    category = ctx.category(case.rule_set, case.category)
    if await session.scalar(select(Job.id).where(Job.application_id == case.application_id)) is not None:
        return None
    first = category.steps[0]
    first_due = casetime.due(ctx.calendar, started_at=case.submitted_at, limit=first.limit_working_days, paused=0)
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
    await publish_job_event(
        session,
        ctx,
        job,
        events.JobCreated(
            **job_fields(job, ctx),
            category=category.code,
            due_on=whole.date,
            rule_set=case.rule_set,
            total_limit_working_days=category.total_limit_working_days,
            submitted_at=case.submitted_at,
        ),
    )
    return job


async def withdraw(session: AsyncSession, job: Job, *, withdrawn_at: datetime, ctx: Context) -> None:
    """Close an open job because the applicant withdrew; a job already closed stays as it is."""
    if job.status not in OPEN_STATUSES:
        return
    await concurrency.claim(session, job, expected=None)
    if job.status not in OPEN_STATUSES:
        return
    if job.status == PAUSED:
        pauses.end_pause(job, ctx)
    job.status, job.withdrawn_at, job.current_step, job.due_on = WITHDRAWN, withdrawn_at, None, None
    audit.append(
        session,
        job,
        at=ctx.now,
        actor=ctx.actor,
        action="withdrawn",
        details={"withdrawn_at": withdrawn_at.isoformat()},
    )


async def assign(session: AsyncSession, job: Job, *, assignee: str | None, expected: int | None, ctx: Context) -> Job:
    """Give the job to a member of the company's staff (None: to nobody)."""
    await concurrency.take_open(session, job, expected=expected)
    previous, job.assignee = job.assignee, assignee
    audit.append(
        session,
        job,
        at=ctx.now,
        actor=ctx.actor,
        action="assigned",
        details={"assignee": assignee, "previous": previous},
    )
    return job


async def complete_step(session: AsyncSession, job: Job, *, code: str, expected: int, ctx: Context) -> Job:
    """Complete the current step at the server's time and start the next; the last one connects."""
    await concurrency.take_open(session, job, expected=expected)
    if job.status == PAUSED:
        raise JobIsPaused("The job is paused; resume it before completing a step.")
    if job.current_step != code:
        raise StepOutOfOrder(f"The current step is {job.current_step}, not {code}.", current_step=job.current_step)
    index = next(i for i, step in enumerate(job.steps) if step.code == code)
    step = job.steps[index]
    assert step.started_at is not None
    step.completed_at, step.completed_by = ctx.now, ctx.actor
    step.elapsed_working_days = casetime.elapsed(
        ctx.calendar, started_at=step.started_at, until=ctx.now, paused=step.paused_working_days
    )
    step.overdue = casetime.is_overdue(ctx.calendar, due_on=step.due_on, today=ctx.today)
    following = job.steps[index + 1] if index + 1 < len(job.steps) else None
    if following is not None:
        due = casetime.due(ctx.calendar, started_at=ctx.now, limit=following.limit_working_days, paused=0)
        following.started_at, following.due_on, following.due_on_provisional = ctx.now, due.date, due.provisional
        job.current_step, job.due_on = following.code, due.date
    else:
        job.status, job.connected_at, job.current_step, job.due_on = CONNECTED, ctx.now, None, None
    audit.append(
        session,
        job,
        at=ctx.now,
        actor=ctx.actor,
        action="step_completed",
        details={
            "step": code,
            "elapsed_working_days": step.elapsed_working_days,
            "overdue": step.overdue,
            "next_step": job.current_step,
            "connected": job.status == CONNECTED,
        },
    )
    if following is not None:
        await publish_job_event(
            session,
            ctx,
            job,
            events.JobStepCompleted(
                **job_fields(job, ctx),
                step=code,
                elapsed_working_days=step.elapsed_working_days,
                overdue=step.overdue,
            ),
        )
    else:
        await publish_job_event(session, ctx, job, _connected(job, ctx))
    return job


def _connected(job: Job, ctx: Context) -> events.JobConnected:
    category = ctx.category(job.rule_set, job.category)
    working_days = casetime.elapsed(
        ctx.calendar, started_at=job.submitted_at, until=ctx.now, paused=job.paused_working_days
    )
    cost = sum((fee.amount_yuan for fee in job.fees if fee.payer == "customer"), Decimal("0.00"))
    within = working_days <= category.total_limit_working_days and not any(s.overdue for s in job.steps)
    return events.JobConnected(
        **job_fields(job, ctx),
        connected_at=ctx.now,
        working_days=working_days,
        paused_working_days=job.paused_working_days,
        customer_cost_yuan=cost,
        visits=len(job.visits),
        within_limit=within,
        category=job.category,
    )
