"""The parts of other services' events that metrics read: their contracts, parsed here, never imported.

Unknown fields are dropped on parsing, so whatever a publisher adds never reaches the facts unseen.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from services.common.errors import Unprocessable
from services.common.events import EventEnvelope

VERSION = 1


class Inbound(BaseModel):
    """Base of every inbound payload: extra fields are ignored, not stored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class StepLimit(Inbound):
    """A step and its time limit as the rule set gave them at submission."""

    code: str
    limit_working_days: int


class ApplicationSubmitted(Inbound):
    """application.submitted v1 (intake)."""

    application_id: str
    category: str
    report_category: str
    business_type: str
    zero_investment: bool
    grid_company: str
    region: str
    channel: str
    rule_set: str
    steps: list[StepLimit]
    total_limit_working_days: int
    allowed_visits: int
    submitted_at: AwareDatetime
    due_on: date
    documents_supplied: int
    documents_reused: int


class ApplicationWithdrawn(Inbound):
    """application.withdrawn v1 (intake)."""

    application_id: str
    withdrawn_at: AwareDatetime


class ApplicationEvaluated(Inbound):
    """application.evaluated v1 (intake)."""

    application_id: str
    score: int
    evaluated_at: AwareDatetime


class JobStep(Inbound):
    """A step of a job as it stands when the event is published."""

    code: str
    limit_working_days: int
    started_at: datetime | None = None
    due_on: date | None = None
    completed_at: datetime | None = None
    elapsed_working_days: int | None = None
    overdue: bool = False


class JobEvent(Inbound):
    """What every job.* event carries."""

    job_id: str
    application_id: str
    grid_company: str
    region: str
    at: AwareDatetime
    current_step: str | None
    steps: list[JobStep]


class JobCreated(JobEvent):
    """job.created v1."""

    category: str
    due_on: date


class JobPaused(JobEvent):
    """job.paused v1."""

    reason: str


class JobResumed(JobEvent):
    """job.resumed v1."""

    reason: str
    paused_working_days: int
    total_paused_working_days: int


class JobFeeRecorded(JobEvent):
    """job.fee_recorded v1."""

    fee_id: str
    code: str
    amount_yuan: Decimal
    payer: str
    flagged: bool


class JobContractorRecorded(JobEvent):
    """job.contractor_recorded v1."""

    licence_number: str
    licence_valid: bool
    licence_problem: str | None = None


class JobVisitRecorded(JobEvent):
    """job.visit_recorded v1 (the visit's purpose text is not kept)."""

    visit_id: str
    visited_on: date
    over_allowance: bool


class JobConnected(JobEvent):
    """job.connected v1."""

    connected_at: AwareDatetime
    working_days: int
    paused_working_days: int
    customer_cost_yuan: Decimal
    visits: int
    within_limit: bool


Payload = TypeVar("Payload", bound=Inbound)


def parse(model: type[Payload], envelope: EventEnvelope) -> Payload:
    """The payload of a v1 event; 422 for another version or a payload that breaks the contract."""
    if envelope.version != VERSION:
        raise Unprocessable(f"{envelope.type} v{envelope.version} is not understood; metrics read v{VERSION}.")
    try:
        return model.model_validate(envelope.data)
    except ValidationError as exc:
        raise Unprocessable(f"{envelope.type} does not match its contract: {exc.error_count()} errors.") from exc
