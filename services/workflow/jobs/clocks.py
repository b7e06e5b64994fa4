"""A step's clock as of an instant: its elapsed working days and whether it is overdue."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.workflow import events
from services.workflow.jobs.models import PAUSED, Job, JobStep


class StepClock(NamedTuple):
    """Working days a step has run (pauses aside) and whether it is past due."""

    elapsed_working_days: int | None
    overdue: bool


def step_clock(job: Job, step: JobStep, *, calendar: WorkingDayCalendar, now: datetime) -> StepClock:
    """A completed step's recorded clock; the current one counts up to now, or to when its clock stopped."""
    if step.completed_at is not None or step.started_at is None or not job.is_open:
        return StepClock(step.elapsed_working_days, step.overdue)
    pause = job.open_pause if job.status == PAUSED else None
    until = pause.started_at if pause is not None else now
    elapsed = casetime.elapsed(calendar, started_at=step.started_at, until=until, paused=step.paused_working_days)
    return StepClock(elapsed, casetime.is_overdue(calendar, due_on=step.due_on, today=local_date(until)))


def start_step(job: Job, step: JobStep, *, at: datetime, calendar: WorkingDayCalendar) -> None:
    """Start a step's clock at an instant and make it the job's current step, due when its limit runs out."""
    due = casetime.due(calendar, started_at=at, limit=step.limit_working_days)
    step.started_at, step.due_on, step.due_on_provisional = at, due.date, due.provisional
    job.current_step, job.due_on = step.code, due.date


def step_state(job: Job, step: JobStep, *, calendar: WorkingDayCalendar, now: datetime) -> events.JobStep:
    """A step as it stands at an instant, as job events carry it and clients read it."""
    clock = step_clock(job, step, calendar=calendar, now=now)
    return events.JobStep(
        **{name: getattr(step, name) for name in _STEP_FIELDS},
        elapsed_working_days=clock.elapsed_working_days,
        overdue=clock.overdue,
    )


# The fields of a step's state that its row holds as they are.
_STEP_FIELDS = tuple(name for name in events.JobStep.model_fields if name not in StepClock._fields)
