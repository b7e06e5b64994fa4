"""Stopping the clock for the customer or the government, and starting it again."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import casetime
from services.common.clock import local_date
from services.workflow import events
from services.workflow.events import PauseReason
from services.workflow.jobs import audit, concurrency, views
from services.workflow.jobs.context import Context
from services.workflow.jobs.exceptions import JobIsPaused, JobNotPaused
from services.workflow.jobs.models import IN_PROGRESS, PAUSED, Job, JobPause
from services.workflow.jobs.publishing import job_fields, publish_job_event


async def pause(
    session: AsyncSession, job: Job, *, reason: PauseReason, note: str | None, expected: int | None, ctx: Context
) -> Job:
    """Stop the clock of the current step."""
    await concurrency.take_open(session, job, expected=expected)
    if job.status == PAUSED:
        raise JobIsPaused("The job is already paused.")
    step = views.current(job)
    assert step is not None and step.started_at is not None
    job.pauses.append(
        JobPause(
            id=str(uuid.uuid4()),
            job_id=job.id,
            audit_seq=job.audit_seq + 1,
            step_code=step.code,
            reason=reason,
            note=note,
            started_at=ctx.now,
            started_by=ctx.actor,
        )
    )
    job.status = PAUSED
    job.paused_while_overdue = casetime.is_overdue(ctx.calendar, due_on=step.due_on, today=ctx.today)
    audit.append(
        session,
        job,
        at=ctx.now,
        actor=ctx.actor,
        action="paused",
        details={"step": step.code, "reason": reason, "note": note},
    )
    await publish_job_event(session, ctx, job, events.JobPaused(**job_fields(job, ctx), reason=reason))
    return job


async def resume(session: AsyncSession, job: Job, *, expected: int | None, ctx: Context) -> Job:
    """Start the clock again; the step's due date moves later by the working days it was stopped."""
    await concurrency.take_open(session, job, expected=expected)
    if job.status != PAUSED:
        raise JobNotPaused("The job is not paused.")
    stopped = end_pause(job, ctx)
    job.status, job.paused_while_overdue = IN_PROGRESS, False
    audit.append(
        session,
        job,
        at=ctx.now,
        actor=ctx.actor,
        action="resumed",
        details={
            "step": stopped.step_code,
            "reason": stopped.reason,
            "working_days": stopped.working_days,
            "due_on": job.due_on.isoformat() if job.due_on else None,
        },
    )
    await publish_job_event(
        session,
        ctx,
        job,
        events.JobResumed(
            **job_fields(job, ctx),
            reason=stopped.reason,
            paused_working_days=stopped.working_days or 0,
            total_paused_working_days=job.paused_working_days,
        ),
    )
    return job


def end_pause(job: Job, ctx: Context) -> JobPause:
    """End the open pause: count its working days and move the current step's due date by them."""
    stopped = views.open_pause(job)
    step = views.current(job)
    assert stopped is not None and step is not None and step.started_at is not None
    days = ctx.calendar.working_days_between(local_date(stopped.started_at), ctx.today)
    stopped.ended_at, stopped.ended_by, stopped.working_days = ctx.now, ctx.actor, days
    step.paused_working_days += days
    job.paused_working_days += days
    due = casetime.due(
        ctx.calendar, started_at=step.started_at, limit=step.limit_working_days, paused=step.paused_working_days
    )
    step.due_on, step.due_on_provisional, job.due_on = due.date, due.provisional, due.date
    return stopped
