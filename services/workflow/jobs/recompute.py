"""Provisional due dates made final once the year they fall in is published."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import casetime
from services.workflow import events
from services.workflow.jobs import audit, concurrency, views
from services.workflow.jobs.context import Context
from services.workflow.jobs.models import OPEN_STATUSES, Job, JobStep
from services.workflow.jobs.publishing import job_fields, publish_job_event

ACTOR = "system:calendar"


async def refresh_provisional_due_dates(session: AsyncSession, *, ctx: Context) -> int:
    """Recount open jobs' provisional due dates on the context's calendar and publish each that moved."""
    query = (
        select(Job)
        .join(JobStep, (JobStep.job_id == Job.id) & (JobStep.code == Job.current_step))
        .where(Job.status.in_(OPEN_STATUSES), JobStep.due_on_provisional.is_(True))
        .order_by(Job.id)
    )
    changed = 0
    for job in (await session.scalars(query)).all():
        step = views.current(job)
        assert step is not None and step.started_at is not None
        due = casetime.due(
            ctx.calendar, started_at=step.started_at, limit=step.limit_working_days, paused=step.paused_working_days
        )
        if (due.date, due.provisional) == (step.due_on, step.due_on_provisional):
            continue
        await concurrency.claim(session, job, expected=None)
        audit.append(
            session,
            job,
            at=ctx.now,
            actor=ctx.actor,
            action="due_date_recounted",
            details={
                "step": step.code,
                "from": step.due_on.isoformat() if step.due_on else None,
                "to": due.date.isoformat(),
                "provisional": due.provisional,
            },
        )
        step.due_on, step.due_on_provisional, job.due_on = due.date, due.provisional, due.date
        payload = events.JobDueDateRecounted(
            **job_fields(job, ctx), step=step.code, due_on=due.date, provisional=due.provisional
        )
        await publish_job_event(session, ctx, job, payload)
        changed += 1
    return changed
