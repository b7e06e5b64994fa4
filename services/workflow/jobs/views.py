"""Jobs as clients read them: steps with their clocks as of now."""

from __future__ import annotations

from datetime import datetime

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.workflow.jobs.models import OPEN_STATUSES, PAUSED, Job, JobFee, JobPause, JobStep, JobVisit
from services.workflow.jobs.schemas import FeeRead, JobRead, PauseRead, StepRead, VisitRead


def open_pause(job: Job) -> JobPause | None:
    """The pause that has not ended, if the job is paused."""
    return next((pause for pause in reversed(job.pauses) if pause.ended_at is None), None)


def current(job: Job) -> JobStep | None:
    """The step being worked on; None once the job is closed."""
    return next((step for step in job.steps if step.code == job.current_step), None)


def step_read(job: Job, step: JobStep, *, calendar: WorkingDayCalendar, now: datetime) -> StepRead:
    """A step; the current one counts its elapsed working days up to now, or to when the clock stopped."""
    elapsed, overdue = step.elapsed_working_days, step.overdue
    if step.completed_at is None and step.started_at is not None and job.status in OPEN_STATUSES:
        pause = open_pause(job) if job.status == PAUSED else None
        until = pause.started_at if pause is not None else now
        elapsed = casetime.elapsed(calendar, started_at=step.started_at, until=until, paused=step.paused_working_days)
        overdue = casetime.is_overdue(calendar, due_on=step.due_on, today=local_date(until))
    return StepRead(
        code=step.code,
        name=step.name,
        limit_working_days=step.limit_working_days,
        started_at=step.started_at,
        due_on=step.due_on,
        due_on_provisional=step.due_on_provisional,
        completed_at=step.completed_at,
        elapsed_working_days=elapsed,
        paused_working_days=step.paused_working_days,
        overdue=overdue,
    )


def steps_read(job: Job, *, calendar: WorkingDayCalendar, now: datetime) -> list[StepRead]:
    """Every step of a job, in order."""
    return [step_read(job, step, calendar=calendar, now=now) for step in job.steps]


def job_read(job: Job, *, calendar: WorkingDayCalendar, now: datetime) -> JobRead:
    """The whole job."""
    steps = steps_read(job, calendar=calendar, now=now)
    return JobRead(
        id=job.id,
        application_id=job.application_id,
        status=job.status,
        category=job.category,
        grid_company=job.grid_company,
        region=job.region,
        rule_set=job.rule_set,
        current_step=job.current_step,
        due_on=job.due_on,
        overdue=any(s.overdue for s in steps if s.code == job.current_step),
        assignee=job.assignee,
        version=job.version,
        submitted_at=job.submitted_at,
        connected_at=job.connected_at,
        withdrawn_at=job.withdrawn_at,
        steps=steps,
        paused_working_days=job.paused_working_days,
        pauses=[
            PauseRead(
                step=p.step_code,
                reason=p.reason,
                note=p.note,
                started_at=p.started_at,
                ended_at=p.ended_at,
                working_days=p.working_days,
            )
            for p in job.pauses
        ],
        fees=[fee_read(f) for f in job.fees],
        visits=[visit_read(v) for v in job.visits],
    )


def fee_read(fee: JobFee) -> FeeRead:
    """A recorded fee."""
    return FeeRead.model_validate(fee, from_attributes=True)


def visit_read(visit: JobVisit) -> VisitRead:
    """A recorded visit."""
    return VisitRead.model_validate(visit, from_attributes=True)
