"""Every change to a job takes the same path: claim it, change it, add it to the audit chain, publish it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.events import Queued, queue
from services.common.events.outbox import publish_queued
from services.workflow import events
from services.workflow.jobs import audit, clocks, concurrency
from services.workflow.jobs.context import Context
from services.workflow.jobs.models import Job

SOURCE = "workflow"


@dataclass(frozen=True)
class Change:
    """What an action did: its audit entry, and the event that tells the other services (if any)."""

    action: str
    details: dict[str, Any]  # plain JSON: the audit chain hashes it
    event: type[events.JobEvent] | None = None
    event_fields: dict[str, Any] = field(default_factory=dict)


async def apply(
    session: AsyncSession,
    job: Job,
    action: Callable[[], Change | None],
    *,
    ctx: Context,
    expected: int | None,
    open_only: bool = True,
) -> Change | None:
    """Claim the job at the expected version (409 when stale or closed), run the action, audit and publish it.

    An action that finds nothing to do returns None: nothing is audited or published.
    """
    await concurrency.claim(session, job, expected=expected)
    if open_only:
        concurrency.require_open(job)
    change = action()
    queued: list[Queued] = []
    if change is not None:
        audit.append(session, job, at=ctx.now, actor=ctx.actor, action=change.action, details=change.details)
        if change.event is not None:
            queued.append(_queued(ctx, job, change.event(**job_fields(job, ctx), **change.event_fields)))
    await concurrency.settle(session, job, queued, ctx.event_tables)
    return change


def job_fields(job: Job, ctx: Context) -> dict[str, Any]:
    """The fields every job event carries: the job, the case, the time, and the steps as they stand."""
    steps = [clocks.step_state(job, step, calendar=ctx.calendar, now=ctx.now) for step in job.steps]
    return {
        "job_id": job.id,
        "application_id": job.application_id,
        "grid_company": job.grid_company,
        "region": job.region,
        "at": ctx.now,
        "current_step": job.current_step,
        "steps": steps,
    }


async def publish_event(session: AsyncSession, ctx: Context, job: Job, payload: events.JobEvent) -> None:
    """Queue a job event for every subscriber now, in the session's transaction."""
    await publish_queued(session, ctx.event_tables, _queued(ctx, job, payload))


def _queued(ctx: Context, job: Job, payload: events.JobEvent) -> Queued:
    """A job event for every subscriber, keyed by the application so each case arrives in order."""
    return queue(payload, case_key=job.application_id, source=SOURCE, subscribers=ctx.subscribers, now=ctx.now)
