"""Jobs as clients read them: steps with their clocks as of now."""

from __future__ import annotations

from datetime import datetime

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.workflow.jobs import clocks
from services.workflow.jobs.models import IN_PROGRESS, PAUSED, Job, JobFee, JobPause, JobStep, JobVisit
from services.workflow.jobs.schemas import FeeRead, JobRead, PauseRead, StepRead, VisitRead

# The fields of a read that the job's row holds as they are.
_JOB_FIELDS = tuple(
    name
    for name in JobRead.model_fields
    if name not in ("overdue", "working_days_left", "steps", "pauses", "fees", "visits", "case", "evidence")
)


# The fields of a step's read that its row holds as they are; the clock gives the rest.
_STEP_FIELDS = tuple(name for name in StepRead.model_fields if name not in clocks.StepClock._fields)
_PAUSE_FIELDS = tuple(name for name in PauseRead.model_fields if name != "step")


def step_read(job: Job, step: JobStep, *, calendar: WorkingDayCalendar, now: datetime) -> StepRead:
    """A step; the current one counts its elapsed working days up to now, or to when the clock stopped."""
    clock = clocks.step_clock(job, step, calendar=calendar, now=now)
    return StepRead(**{name: getattr(step, name) for name in _STEP_FIELDS}, **clock._asdict())


def job_read(job: Job, *, calendar: WorkingDayCalendar, now: datetime) -> JobRead:
    """The whole job."""
    steps = [step_read(job, step, calendar=calendar, now=now) for step in job.steps]
    return JobRead(
        **{name: getattr(job, name) for name in _JOB_FIELDS},
        overdue=any(s.overdue for s in steps if s.code == job.current_step),
        working_days_left=working_days_left(job, calendar=calendar, now=now),
        steps=steps,
        pauses=[pause_read(p) for p in job.pauses],
        fees=[fee_read(f) for f in job.fees],
        visits=[visit_read(v) for v in job.visits],
    )


def working_days_left(job: Job, *, calendar: WorkingDayCalendar, now: datetime) -> int | None:
    """Working days until the current step is due; a paused job's as of the day its clock stopped."""
    if job.due_on is None or job.status not in (IN_PROGRESS, PAUSED):
        return None
    pause = job.open_pause if job.status == PAUSED else None
    today = local_date(pause.started_at if pause is not None else now)
    return casetime.working_days_left(calendar, due_on=job.due_on, today=today)


def pause_read(pause: JobPause) -> PauseRead:
    """A pause, ended or not."""
    return PauseRead(step=pause.step_code, **{name: getattr(pause, name) for name in _PAUSE_FIELDS})


def fee_read(fee: JobFee) -> FeeRead:
    """A recorded fee."""
    return FeeRead.model_validate(fee, from_attributes=True)


def visit_read(visit: JobVisit) -> VisitRead:
    """A recorded visit."""
    return VisitRead.model_validate(visit, from_attributes=True)
