"""Progress back to the applicant: intake follows the workflow's job events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar.events import handle_published_years
from services.common.events import EventEnvelope, EventHandlers
from services.common.state import ServiceState
from services.intake.applications.models import Application

handlers = EventHandlers()
handle_published_years(handlers)


async def _application(session: AsyncSession, envelope: EventEnvelope) -> Application | None:
    application_id = str(envelope.data.get("application_id", ""))
    return await session.get(Application, application_id, with_for_update=True)


def _record(application: Application, envelope: EventEnvelope, **changes: Any) -> None:
    progress = dict(application.progress)
    entry = {"at": str(envelope.data.get("at") or envelope.occurred_at.isoformat()), "event": envelope.type}
    if envelope.data.get("step"):
        entry["step"] = envelope.data["step"]
    if envelope.data.get("reason"):
        entry["detail"] = envelope.data["reason"]
    progress["timeline"] = [*progress.get("timeline", []), entry]
    progress.update(changes)
    application.progress = progress


def _steps_from(envelope: EventEnvelope) -> list[dict[str, Any]]:
    return [
        {key: step.get(key) for key in ("code", "name", "limit_working_days", "started_at", "due_on", "completed_at")}
        for step in envelope.data.get("steps", [])
    ]


@handlers.on("job.created")
async def on_job_created(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """The grid company has the case: it is in progress."""
    application = await _application(session, envelope)
    if application is None or application.status == "withdrawn":
        return
    application.status = "in_progress"
    _record(
        application,
        envelope,
        steps=_steps_from(envelope),
        current_step=envelope.data.get("current_step"),
        job_id=envelope.data.get("job_id"),
    )


@handlers.on("job.due_date_recounted")
@handlers.on("job.step_completed")
async def on_step_completed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """A step was completed and the next one started, or a due date was counted again."""
    application = await _application(session, envelope)
    if application is None or application.status == "withdrawn":
        return
    _record(application, envelope, steps=_steps_from(envelope), current_step=envelope.data.get("current_step"))


@handlers.on("job.paused")
async def on_paused(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """The clock stopped for a reason the applicant should see."""
    application = await _application(session, envelope)
    if application is None or application.status not in ("submitted", "in_progress"):
        return
    application.status = "paused"
    _record(application, envelope)


@handlers.on("job.resumed")
async def on_resumed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """The clock runs again, with due dates moved by the paused working days."""
    application = await _application(session, envelope)
    if application is None or application.status != "paused":
        return
    application.status = "in_progress"
    _record(application, envelope, steps=_steps_from(envelope))


@handlers.on("job.fee_recorded")
@handlers.on("job.visit_recorded")
async def on_note(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """A fee or an office visit, shown on the timeline."""
    application = await _application(session, envelope)
    if application is not None:
        _record(application, envelope)


@handlers.on("job.connected")
async def on_connected(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
    """Power is on."""
    application = await _application(session, envelope)
    if application is None:
        return
    if application.status == "withdrawn":
        # The withdrawal crossed the connection in flight; workflow refused it, and power is on.
        application.withdrawn_at = None
    application.status = "connected"
    application.connected_at = datetime.fromisoformat(str(envelope.data["connected_at"]))
    _record(application, envelope, steps=_steps_from(envelope), current_step=None)
