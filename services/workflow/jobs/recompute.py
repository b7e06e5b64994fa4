"""Provisional due dates made final once the year they fall in is published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar import WorkingDayCalendar
from services.workflow.jobs import audit, concurrency, deadlines, views
from services.workflow.jobs.models import OPEN_STATUSES, Job, JobStep

ACTOR = "system:calendar"


async def refresh_provisional_due_dates(session: AsyncSession, *, calendar: WorkingDayCalendar, now: datetime) -> int:
    """Recount open jobs' provisional due dates on a calendar; returns how many jobs changed."""
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
        due = deadlines.due(
            calendar, started_at=step.started_at, limit=step.limit_working_days, paused=step.paused_working_days
        )
        if (due.date, due.provisional) == (step.due_on, step.due_on_provisional):
            continue
        await concurrency.claim(session, job, expected=None)
        audit.append(
            session,
            job,
            at=now,
            actor=ACTOR,
            action="due_date_recounted",
            details={
                "step": step.code,
                "from": step.due_on.isoformat() if step.due_on else None,
                "to": due.date.isoformat(),
                "provisional": due.provisional,
            },
        )
        step.due_on, step.due_on_provisional, job.due_on = due.date, due.provisional, due.date
        changed += 1
    return changed
