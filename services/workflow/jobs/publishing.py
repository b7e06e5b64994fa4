"""Job events into the outbox, in the same transaction as the change they describe."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.events import EventPayload, publish
from services.workflow import events
from services.workflow.jobs import views
from services.workflow.jobs.context import Context
from services.workflow.jobs.models import Job

SOURCE = "workflow"


def job_fields(job: Job, ctx: Context) -> dict[str, Any]:
    """The fields every job event carries: the job, the case, the time, and the steps as they stand."""
    return {
        "job_id": job.id,
        "application_id": job.application_id,
        "grid_company": job.grid_company,
        "region": job.region,
        "at": ctx.now,
        "current_step": job.current_step,
        "steps": [
            events.JobStep.model_validate(step.model_dump(include=set(events.JobStep.model_fields)))
            for step in views.steps_read(job, calendar=ctx.calendar, now=ctx.now)
        ],
    }


async def publish_job_event(session: AsyncSession, ctx: Context, job: Job, payload: EventPayload) -> None:
    """Queue an event for every subscriber, keyed by the application so each case arrives in order."""
    await publish(
        session,
        ctx.event_tables,
        payload,
        case_key=job.application_id,
        source=SOURCE,
        subscribers=ctx.subscribers,
        now=ctx.now,
    )
