"""What workflow does on intake's events: make a job for a submission, keep its case, close it on withdrawal,
keep the staff directory and take jobs back from an engineer who left."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.events import EventEnvelope, EventHandlers
from services.common.state import ServiceState
from services.intake import events as intake_events
from services.workflow.cases import service as case_service
from services.workflow.jobs import records as job_records
from services.workflow.jobs import service as job_service
from services.workflow.jobs.context import Context, build_context
from services.workflow.jobs.models import Job
from services.workflow.staff import service as staff_service

# Intake's events that change the job of an application.
JobEventT = TypeVar(
    "JobEventT",
    intake_events.ApplicationContractSigned,
    intake_events.ApplicationWithdrawn,
    intake_events.ApplicationDisputed,
)
JobChange = Callable[[AsyncSession, Job, JobEventT, Context], Awaitable[None]]


def make_handlers() -> EventHandlers:
    """The handlers of intake's events, and of nothing else."""
    handlers = EventHandlers()

    @handlers.on("application.submitted")
    async def on_submitted(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        """A job is made for the case, once however often the case is announced."""
        case = intake_events.ApplicationSubmitted.from_envelope(envelope)
        ctx = await _context(state, session, envelope)
        await job_service.create_from_submission(session, case=case, ctx=ctx)

    @handlers.on("application.case_shared")
    async def on_case_shared(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        """The case's address, contact and documents are kept for the field staff of its company."""
        case = intake_events.ApplicationCaseShared.from_envelope(envelope)
        await case_service.keep(session, case=case, now=state.clock.now())

    # Intake signs only after the job's accept step, so the job is known.
    @_on_job_of(handlers, intake_events.ApplicationContractSigned)
    async def on_contract_signed(
        session: AsyncSession, job: Job, signed: intake_events.ApplicationContractSigned, ctx: Context
    ) -> None:
        """The applicant signed the supply contract online: the job records it in its audit chain."""
        await job_service.record_contract_signed(
            session, job, signed_at=signed.signed_at, sha256=signed.sha256, ctx=ctx
        )

    @_on_job_of(handlers, intake_events.ApplicationWithdrawn)
    async def on_withdrawn(
        session: AsyncSession, job: Job, case: intake_events.ApplicationWithdrawn, ctx: Context
    ) -> None:
        """The case is closed; the job takes no further changes."""
        await job_service.withdraw(session, job, withdrawn_at=case.withdrawn_at, ctx=ctx)

    @_on_job_of(handlers, intake_events.ApplicationDisputed)
    async def on_disputed(
        session: AsyncSession, job: Job, dispute: intake_events.ApplicationDisputed, ctx: Context
    ) -> None:
        """The applicant disputed a visit or fee: the job's audit chain says so, for its staff and managers."""
        await job_records.note_dispute(session, job, dispute=dispute, ctx=ctx)

    @handlers.on(intake_events.StaffChanged.event_type)
    async def on_staff_changed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        """The directory keeps the latest announcement; a deactivated engineer's open jobs go back to the queue."""
        change = intake_events.StaffChanged.from_envelope(envelope)
        member = await staff_service.record(session, change=change, now=state.clock.now())
        if member is None or staff_service.assignable(member):
            return
        ctx = await _context(state, session, envelope)
        await job_service.unassign_departed(session, staff_id=member.id, ctx=ctx)

    return handlers


def _on_job_of(
    handlers: EventHandlers, model: type[JobEventT]
) -> Callable[[JobChange[JobEventT]], JobChange[JobEventT]]:
    """Register the decorated change as the handler of the model's events, applied to the application's job.

    An event about an application that has no job here changes nothing.
    """

    def register(change: JobChange[JobEventT]) -> JobChange[JobEventT]:
        @handlers.on(model.event_type)
        async def handle(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
            event = model.from_envelope(envelope)
            job = await session.scalar(select(Job).where(Job.application_id == event.application_id))
            if job is not None:
                await change(session, job, event, await _context(state, session, envelope))

        return change

    return register


async def _context(state: ServiceState, session: AsyncSession, envelope: EventEnvelope) -> Context:
    # The change is the publishing service's: its audit entries name it as the actor.
    return await build_context(state, session, actor=f"service:{envelope.source}")
