"""Progress back to the applicant: intake follows the workflow's job events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar.events import handle_published_years
from services.common.events import EventEnvelope, EventHandlers
from services.common.state import ServiceState
from services.intake.applications.models import Application
from services.intake.contracts import service as contract_service
from services.intake.notifications import service as notification_service
from services.workflow import events as job_events

handlers = EventHandlers()
handle_published_years(handlers)

# What the applicant is shown of each step.
_STEP_FIELDS = {"code", "name", "limit_working_days", "started_at", "due_on", "completed_at"}


async def _application(session: AsyncSession, event: job_events.JobEvent) -> Application | None:
    return await session.get(Application, event.application_id, with_for_update=True)


def _record(
    application: Application,
    envelope: EventEnvelope,
    event: job_events.JobEvent,
    *,
    detail: str | None = None,
    **changes: Any,
) -> None:
    progress = dict(application.progress)
    entry = {"at": event.at.isoformat(), "event": envelope.type}
    step = getattr(event, "step", None)
    if step:
        entry["step"] = step
    if detail:
        entry["detail"] = detail
    progress["timeline"] = [*progress.get("timeline", []), entry]
    progress.update(changes)
    application.progress = progress


def _tell(
    session: AsyncSession, application: Application, envelope: EventEnvelope, event: job_events.JobEvent, now: datetime
) -> None:
    notification_service.tell(
        session, application=application, event=event, event_id=str(envelope.id), kind=_KINDS[envelope.type], now=now
    )


# The notification each job event gives the applicant.
_KINDS = {
    job_events.JobCreated.event_type: "job_created",
    job_events.JobStepCompleted.event_type: "step_completed",
    job_events.JobPaused.event_type: "paused",
    job_events.JobResumed.event_type: "resumed",
    job_events.JobFeeRecorded.event_type: "fee_recorded",
    job_events.JobVisitRecorded.event_type: "visit_recorded",
    job_events.JobConnected.event_type: "connected",
}


def _steps(event: job_events.JobEvent) -> list[dict[str, Any]]:
    return [step.model_dump(mode="json", include=_STEP_FIELDS) for step in event.steps]


@handlers.on(job_events.JobCreated.event_type)
async def on_job_created(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """The grid company has the case: it is in progress."""
    event = job_events.JobCreated.from_envelope(envelope)
    application = await _application(session, event)
    if application is None or application.status == "withdrawn":
        return
    application.status = "in_progress"
    _record(application, envelope, event, steps=_steps(event), current_step=event.current_step, job_id=event.job_id)
    _tell(session, application, envelope, event, state.clock.now())


async def _steps_moved(
    session: AsyncSession, envelope: EventEnvelope, event: job_events.JobEvent
) -> Application | None:
    application = await _application(session, event)
    if application is None or application.status == "withdrawn":
        return None
    _record(application, envelope, event, steps=_steps(event), current_step=event.current_step)
    return application


@handlers.on(job_events.JobStepCompleted.event_type)
async def on_step_completed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """A step was completed; the next one has started."""
    event = job_events.JobStepCompleted.from_envelope(envelope)
    application = await _steps_moved(session, envelope, event)
    if application is None:
        return
    _tell(session, application, envelope, event, state.clock.now())
    if event.step == contract_service.ACCEPT_STEP:
        await _contract_ready(session, application, envelope, event, state.clock.now())


async def _contract_ready(
    session: AsyncSession,
    application: Application,
    envelope: EventEnvelope,
    event: job_events.JobStepCompleted,
    now: datetime,
) -> None:
    """The case is accepted: its supply contract is made, and the applicant is asked to sign it online."""
    if await contract_service.make_ready(session, application=application, accepted_at=event.at) is None:
        return
    # A second notification from the same event: its own id, derived so that it stays one per event.
    notification_service.tell(
        session,
        application=application,
        event=event,
        event_id=str(uuid.uuid5(envelope.id, "contract_ready")),
        kind="contract_ready",
        now=now,
    )


@handlers.on(job_events.JobDueDateRecounted.event_type)
async def on_due_date_recounted(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """A provisional due date was counted again on a year published since."""
    await _steps_moved(session, envelope, job_events.JobDueDateRecounted.from_envelope(envelope))


@handlers.on(job_events.JobPaused.event_type)
async def on_paused(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """The clock stopped for a reason the applicant should see."""
    event = job_events.JobPaused.from_envelope(envelope)
    application = await _application(session, event)
    if application is None or application.status not in ("submitted", "in_progress"):
        return
    application.status = "paused"
    _record(application, envelope, event, detail=event.reason)
    _tell(session, application, envelope, event, state.clock.now())


@handlers.on(job_events.JobResumed.event_type)
async def on_resumed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """The clock runs again, with due dates moved by the paused working days."""
    event = job_events.JobResumed.from_envelope(envelope)
    application = await _application(session, event)
    if application is None or application.status != "paused":
        return
    application.status = "in_progress"
    _record(application, envelope, event, detail=event.reason, steps=_steps(event))
    _tell(session, application, envelope, event, state.clock.now())


_RECORDS: dict[str, type[job_events.JobEvent]] = {
    model.event_type: model for model in (job_events.JobFeeRecorded, job_events.JobVisitRecorded)
}


@handlers.on(job_events.JobFeeRecorded.event_type)
@handlers.on(job_events.JobVisitRecorded.event_type)
async def on_record(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """A fee or an office visit, shown on the timeline."""
    event = _RECORDS[envelope.type].from_envelope(envelope)
    application = await _application(session, event)
    if application is not None:
        _record(application, envelope, event)
        _tell(session, application, envelope, event, state.clock.now())


@handlers.on(job_events.JobConnected.event_type)
async def on_connected(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """Power is on."""
    event = job_events.JobConnected.from_envelope(envelope)
    application = await _application(session, event)
    if application is None:
        return
    if application.status == "withdrawn":
        # The withdrawal crossed the connection in flight; workflow refused it, and power is on.
        application.withdrawn_at = None
    application.status = "connected"
    application.connected_at = event.connected_at
    _record(application, envelope, event, steps=_steps(event), current_step=None)
    _tell(session, application, envelope, event, state.clock.now())
