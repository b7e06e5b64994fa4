"""Facts from events: each handler sets what its event says, so applying one twice changes nothing.

Intake and workflow publish independently, so job.* events may come before application.submitted:
a handler fills in what it knows and leaves the rest for the events still to come.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.common.calendar.events import handle_published_years
from services.common.clock import local_date
from services.common.events import EventEnvelope, EventHandlers
from services.common.state import ServiceState
from services.intake import events as intake_events
from services.metrics.disputes.service import handle_disputes
from services.metrics.facts import schemas as fact_schemas
from services.metrics.facts.models import CaseFact
from services.metrics.facts.service import changing
from services.workflow import events as job_events

# What metrics keep of each step, fee and visit is what they show of it (a step's display name is the rule
# set's, not the case's; a visit's purpose is not kept).
_STEP_FIELDS = set(fact_schemas.StepRead.model_fields)
_FEE_FIELDS = set(fact_schemas.FeeRead.model_fields)
_VISIT_FIELDS = set(fact_schemas.VisitRead.model_fields)

JobEventT = TypeVar("JobEventT", bound=job_events.JobEvent)
# What a job event changes of its case's fact besides what every job event sets; the calendar is the one in force.
FactChange = Callable[[CaseFact, JobEventT, WorkingDayCalendar], None]


def _job_common(fact: CaseFact, event: job_events.JobEvent) -> None:
    fact.job_id = event.job_id
    fact.grid_company = fact.grid_company or event.grid_company
    fact.region = fact.region or event.region
    fact.current_step = event.current_step
    # Per publisher, events of a case arrive in order: the newest job event has the steps as they stand.
    fact.steps = [step.model_dump(mode="json", include=_STEP_FIELDS) for step in event.steps]


@asynccontextmanager
async def _changing(
    session: AsyncSession, state: ServiceState, case_id: str, envelope: EventEnvelope
) -> AsyncIterator[CaseFact]:
    calendar = await state.live_calendar.current(session)
    async with changing(session, case_id, calendar=calendar, now=envelope.occurred_at) as fact:
        yield fact


def _on_job_events(
    handlers: EventHandlers, *models: type[JobEventT]
) -> Callable[[FactChange[JobEventT]], FactChange[JobEventT]]:
    """Register the decorated change as the handler of these job events, after what every job event sets."""
    by_type = {model.event_type: model for model in models}

    def register(change: FactChange[JobEventT]) -> FactChange[JobEventT]:
        async def handle(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
            event = by_type[envelope.type].from_envelope(envelope)
            calendar = await state.live_calendar.current(session)
            async with changing(session, event.application_id, calendar=calendar, now=envelope.occurred_at) as fact:
                _job_common(fact, event)
                change(fact, event, calendar)

        for event_type in by_type:
            handlers.on(event_type)(handle)
        return change

    return register


def build_handlers() -> EventHandlers:
    """The handlers that turn intake's and workflow's events into facts, rollups and disputes; and the calendar."""
    handlers = EventHandlers()
    handle_published_years(handlers)
    handle_disputes(handlers)

    @handlers.on("application.submitted")
    async def on_submitted(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        event = intake_events.ApplicationSubmitted.from_envelope(envelope)
        async with _changing(session, state, event.application_id, envelope) as fact:
            for name in (
                "category",
                "report_category",
                "business_type",
                "grid_company",
                "region",
                "channel",
                "rule_set",
                "zero_investment",
                "allowed_visits",
                "total_limit_working_days",
                "submitted_at",
                "documents_supplied",
                "documents_reused",
            ):
                setattr(fact, name, getattr(event, name))
            fact.case_due_on = event.due_on
            if not fact.steps:
                fact.steps = [step.model_dump(mode="json", include=_STEP_FIELDS) for step in event.steps]

    @handlers.on("application.withdrawn")
    async def on_withdrawn(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        event = intake_events.ApplicationWithdrawn.from_envelope(envelope)
        async with _changing(session, state, event.application_id, envelope) as fact:
            fact.withdrawn_at = event.withdrawn_at

    @handlers.on("application.evaluated")
    async def on_evaluated(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        event = intake_events.ApplicationEvaluated.from_envelope(envelope)
        async with _changing(session, state, event.application_id, envelope) as fact:
            fact.evaluation_score = event.score

    @handlers.on(intake_events.ApplicationContractSigned.event_type)
    async def on_contract_signed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        event = intake_events.ApplicationContractSigned.from_envelope(envelope)
        async with _changing(session, state, event.application_id, envelope) as fact:
            # Signed once in intake; the first time heard of is kept, as a redelivery may come later.
            fact.contract_signed_at = fact.contract_signed_at or event.signed_at
            fact.grid_company = fact.grid_company or event.grid_company
            fact.region = fact.region or event.region
            fact.category = fact.category or event.category

    @_on_job_events(handlers, job_events.JobCreated)
    def on_job_created(fact: CaseFact, event: job_events.JobCreated, calendar: WorkingDayCalendar) -> None:
        fact.category = fact.category or event.category
        fact.case_due_on = fact.case_due_on or event.due_on

    @_on_job_events(handlers, job_events.JobStepCompleted, job_events.JobDueDateRecounted)
    def on_steps_moved(fact: CaseFact, event: job_events.JobEvent, calendar: WorkingDayCalendar) -> None:
        """Nothing but what every job event sets: the steps as they now stand."""

    @_on_job_events(handlers, job_events.JobPaused)
    def on_paused(fact: CaseFact, event: job_events.JobPaused, calendar: WorkingDayCalendar) -> None:
        # The working-day clock stopped on the last working day on or before the pause: a paused case
        # is overdue if it was then, as workflow counts it.
        fact.paused_on = casetime.overdue_cutoff(calendar, local_date(event.at))
        pause = {
            "reason": event.reason,
            "paused_at": event.at.isoformat(),
            "resumed_at": None,
            "paused_working_days": None,
        }
        fact.pauses = _including(fact.pauses, pause, key="paused_at")

    @_on_job_events(handlers, job_events.JobResumed)
    def on_resumed(fact: CaseFact, event: job_events.JobResumed, calendar: WorkingDayCalendar) -> None:
        fact.paused_on = None
        fact.pauses = _close_pause(fact.pauses, event)
        fact.paused_working_days = event.total_paused_working_days
        fact.longest_pause_working_days = max(fact.longest_pause_working_days, event.paused_working_days)

    @_on_job_events(handlers, job_events.JobFeeRecorded)
    def on_fee(fact: CaseFact, event: job_events.JobFeeRecorded, calendar: WorkingDayCalendar) -> None:
        fact.fees = _including(fact.fees, event.model_dump(mode="json", include=_FEE_FIELDS), key="fee_id")
        _total_fees(fact)

    @_on_job_events(handlers, job_events.JobContractorRecorded)
    def on_contractor(fact: CaseFact, event: job_events.JobContractorRecorded, calendar: WorkingDayCalendar) -> None:
        # Once given to an unlicensed contractor, a case stays a violation even if another is recorded later.
        fact.unlicensed_contractor = fact.unlicensed_contractor or not event.licence_valid

    @_on_job_events(handlers, job_events.JobVisitRecorded)
    def on_visit(fact: CaseFact, event: job_events.JobVisitRecorded, calendar: WorkingDayCalendar) -> None:
        visit = event.model_dump(mode="json", include=_VISIT_FIELDS)
        fact.visit_log = _including(fact.visit_log, visit, key="visit_id")
        if fact.connected_at is None:
            fact.visits = len(fact.visit_log)

    @_on_job_events(handlers, job_events.JobConnected)
    def on_connected(fact: CaseFact, event: job_events.JobConnected, calendar: WorkingDayCalendar) -> None:
        fact.current_step = None
        fact.paused_on = None
        fact.connected_at = event.connected_at
        # The workflow's own figures stand in until the submission is known; then they are recomputed.
        fact.reported_working_days = event.working_days
        fact.reported_within_limit = event.within_limit
        fact.paused_working_days = event.paused_working_days
        fact.customer_cost = event.customer_cost_yuan
        fact.visits = event.visits

    return handlers


def _close_pause(pauses: list[dict[str, Any]], event: job_events.JobResumed) -> list[dict[str, Any]]:
    closed = [dict(pause) for pause in pauses]
    if any(pause.get("resumed_at") == event.at.isoformat() for pause in closed):
        return closed
    for pause in reversed(closed):
        if pause.get("resumed_at") is None:
            pause.update(resumed_at=event.at.isoformat(), paused_working_days=event.paused_working_days)
            return closed
    # A resume without its pause (never expected): keep the span it reports all the same.
    closed.append(
        {
            "reason": event.reason,
            "paused_at": None,
            "resumed_at": event.at.isoformat(),
            "paused_working_days": event.paused_working_days,
        }
    )
    return closed


def _including(records: list[dict[str, Any]], record: dict[str, Any], *, key: str) -> list[dict[str, Any]]:
    # A redelivered event finds its record kept already: it is not added twice.
    if any(kept[key] == record[key] for kept in records):
        return records
    return [*records, record]


def _total_fees(fact: CaseFact) -> None:
    flagged = [Decimal(fee["amount_yuan"]) for fee in fact.fees if fee["flagged"]]
    fact.flagged_fees = len(flagged)
    fact.flagged_fee_yuan = sum(flagged, Decimal(0))
    if fact.connected_at is None:
        fact.customer_cost = sum((Decimal(f["amount_yuan"]) for f in fact.fees if f["payer"] == "customer"), Decimal(0))
