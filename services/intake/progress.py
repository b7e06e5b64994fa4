"""Progress back to the applicant: intake follows the workflow's job events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar.events import handle_published_years
from services.common.events import EventEnvelope, EventHandlers
from services.common.state import ServiceState
from services.intake.applications.models import Application
from services.intake.contracts import service as contract_service
from services.intake.identity.models import Account
from services.intake.notifications import service as notification_service
from services.intake.notifications.models import NotificationPreference
from services.intake.notifications.outbox import Channels, Wanted
from services.workflow import events as job_events

handlers = EventHandlers()
handle_published_years(handlers)

# What the applicant is shown of each step.
_STEP_FIELDS = {"code", "name", "limit_working_days", "started_at", "due_on", "completed_at"}


@dataclass(frozen=True)
class _Case:
    """What following a job event needs of the case: the application (locked), and of its owner the name and
    the channels they want told on."""

    application: Application
    owner_name: str | None
    wants: Wanted


# Built once, sent with the application's id: building it for every event costs more CPU than reading the row.
_CASE = (
    select(Application, Account.name, NotificationPreference)
    .outerjoin(Account, Account.id == Application.owner_id)
    .outerjoin(NotificationPreference, NotificationPreference.account_id == Application.owner_id)
    .where(Application.id == bindparam("application_id"))
    .with_for_update(of=Application)
)


async def _case(session: AsyncSession, event: job_events.JobEvent) -> _Case | None:
    # Not flushed first: what the batch's earlier events changed is written together at commit (an application
    # met again in the batch comes from the session as they left it).
    with session.no_autoflush:
        row = (await session.execute(_CASE, {"application_id": event.application_id})).first()
    if row is None:
        return None
    application, owner_name, preference = row
    return _Case(application, owner_name, Wanted.by(preference))


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


async def _tell(
    session: AsyncSession, case: _Case, envelope: EventEnvelope, event: job_events.JobEvent, state: ServiceState
) -> None:
    await notification_service.tell(
        session,
        application=case.application,
        kind=_KINDS[envelope.type],
        key=str(envelope.id),
        fields=notification_service.event_fields(case.application, event),
        channels=Channels.of(state.settings),
        wants=case.wants,
        now=state.clock.now(),
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
    case = await _case(session, event)
    if case is None or case.application.status == "withdrawn":
        return
    application = case.application
    application.status = "in_progress"
    _record(application, envelope, event, steps=_steps(event), current_step=event.current_step, job_id=event.job_id)
    await _tell(session, case, envelope, event, state)


async def _steps_moved(session: AsyncSession, envelope: EventEnvelope, event: job_events.JobEvent) -> _Case | None:
    case = await _case(session, event)
    if case is None or case.application.status == "withdrawn":
        return None
    application = case.application
    _record(application, envelope, event, steps=_steps(event), current_step=event.current_step)
    return case


@handlers.on(job_events.JobStepCompleted.event_type)
async def on_step_completed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """A step was completed; the next one has started."""
    event = job_events.JobStepCompleted.from_envelope(envelope)
    case = await _steps_moved(session, envelope, event)
    if case is None:
        return
    await _tell(session, case, envelope, event, state)
    if event.step == contract_service.ACCEPT_STEP:
        await _contract_ready(session, case, envelope, event, state)


async def _contract_ready(
    session: AsyncSession,
    case: _Case,
    envelope: EventEnvelope,
    event: job_events.JobStepCompleted,
    state: ServiceState,
) -> None:
    """The case is accepted: its supply contract is made, and the applicant is asked to sign it online."""
    application = case.application
    made = await contract_service.make_ready(
        session, application=application, owner_name=case.owner_name, accepted_at=event.at
    )
    if made is None:
        return
    # A second notification from the same event: its own key, derived so that it stays one per event.
    await notification_service.tell(
        session,
        application=application,
        kind="contract_ready",
        key=str(uuid.uuid5(envelope.id, "contract_ready")),
        fields=notification_service.event_fields(application, event),
        channels=Channels.of(state.settings),
        wants=case.wants,
        now=state.clock.now(),
    )


@handlers.on(job_events.JobDueDateRecounted.event_type)
async def on_due_date_recounted(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """A provisional due date was counted again on a year published since."""
    await _steps_moved(session, envelope, job_events.JobDueDateRecounted.from_envelope(envelope))


@handlers.on(job_events.JobPaused.event_type)
async def on_paused(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """The clock stopped for a reason the applicant should see."""
    event = job_events.JobPaused.from_envelope(envelope)
    case = await _case(session, event)
    if case is None or case.application.status not in ("submitted", "in_progress"):
        return
    application = case.application
    application.status = "paused"
    _record(application, envelope, event, detail=event.reason)
    await _tell(session, case, envelope, event, state)


@handlers.on(job_events.JobResumed.event_type)
async def on_resumed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """The clock runs again, with due dates moved by the paused working days."""
    event = job_events.JobResumed.from_envelope(envelope)
    case = await _case(session, event)
    if case is None or case.application.status != "paused":
        return
    application = case.application
    application.status = "in_progress"
    _record(application, envelope, event, detail=event.reason, steps=_steps(event))
    await _tell(session, case, envelope, event, state)


def _case_record(event: job_events.JobEvent) -> tuple[str, dict[str, Any]]:
    """The progress list a fee or visit goes in, and what the applicant is shown of it (workflow's id kept)."""
    if isinstance(event, job_events.JobFeeRecorded):
        fee = {"id": event.fee_id, "code": event.code, "amount_yuan": str(event.amount_yuan), "payer": event.payer}
        return "fees", {**fee, "recorded_at": event.at.isoformat()}
    assert isinstance(event, job_events.JobVisitRecorded)
    visit = {"id": event.visit_id, "visited_on": event.visited_on.isoformat(), "purpose": event.purpose}
    return "visits", {**visit, "recorded_at": event.at.isoformat()}


_RECORDS: dict[str, type[job_events.JobEvent]] = {
    model.event_type: model for model in (job_events.JobFeeRecorded, job_events.JobVisitRecorded)
}


@handlers.on(job_events.JobFeeRecorded.event_type)
@handlers.on(job_events.JobVisitRecorded.event_type)
async def on_record(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """A fee or an office visit: on the timeline, and listed with its id so the applicant may dispute it."""
    event = _RECORDS[envelope.type].from_envelope(envelope)
    case = await _case(session, event)
    if case is None:
        return
    application = case.application
    kind, entry = _case_record(event)
    listed = application.progress.get(kind, [])
    changes: dict[str, Any] = {} if any(item["id"] == entry["id"] for item in listed) else {kind: [*listed, entry]}
    _record(application, envelope, event, detail=None, **changes)
    await _tell(session, case, envelope, event, state)


@handlers.on(job_events.JobConnected.event_type)
async def on_connected(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """Power is on."""
    event = job_events.JobConnected.from_envelope(envelope)
    case = await _case(session, event)
    if case is None:
        return
    application = case.application
    if application.status == "withdrawn":
        # The withdrawal crossed the connection in flight; workflow refused it, and power is on.
        application.withdrawn_at = None
    application.status = "connected"
    application.connected_at = event.connected_at
    _record(application, envelope, event, steps=_steps(event), current_step=None)
    await _tell(session, case, envelope, event, state)
