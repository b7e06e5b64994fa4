"""The events workflow publishes: its contract with intake and metrics (no personal data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from services.common.calendar.events import CalendarYearPublished
from services.common.events import EventPayload

PauseReason = Literal["customer_request", "customer_not_ready", "government_approval_pending"]
Payer = Literal["customer", "grid"]
# Why the customer had to come to an office: a closed list, so no free text (and no personal data) travels.
VisitPurpose = Literal["sign_contract", "submit_documents", "pay_fee", "site_matter", "other"]
# Why a job's assignee changed: a manager's decision, or the engineer's account was deactivated.
AssignmentReason = Literal["assigned", "unassigned", "assignee_deactivated"]


class JobStep(BaseModel):
    """A step of a job as it stands when the event is published."""

    code: str
    name: str
    limit_working_days: int
    started_at: AwareDatetime | None = None
    due_on: date | None = None
    due_on_provisional: bool = False  # counted Monday to Friday through a year not yet published
    completed_at: AwareDatetime | None = None
    elapsed_working_days: int | None = None
    overdue: bool = False


class JobEvent(EventPayload):
    """What every job event carries: which job, which case, when, and the steps as they now stand."""

    job_id: str
    application_id: str
    grid_company: str
    region: str
    at: AwareDatetime
    current_step: str | None
    steps: list[JobStep]


class JobCreated(JobEvent, event_type="job.created"):
    """The grid company received the case; its first step started at submission."""

    category: str
    due_on: date  # of the whole case: submission plus the category's total limit
    rule_set: str
    total_limit_working_days: int
    submitted_at: AwareDatetime


class JobStepCompleted(JobEvent, event_type="job.step_completed"):
    """A step was completed by field staff; the next one started."""

    step: str
    elapsed_working_days: int
    overdue: bool


class JobPaused(JobEvent, event_type="job.paused"):
    """The clock stopped for a reason outside the grid company's hands."""

    reason: PauseReason


class JobResumed(JobEvent, event_type="job.resumed"):
    """The clock runs again; due dates moved by the paused working days."""

    reason: PauseReason
    paused_working_days: int
    total_paused_working_days: int


class JobFeeRecorded(JobEvent, event_type="job.fee_recorded"):
    """A fee was recorded; a customer fee where zero investment applies is flagged."""

    fee_id: str
    code: str
    amount_yuan: Decimal
    payer: Payer
    flagged: bool


class JobVisitRecorded(JobEvent, event_type="job.visit_recorded"):
    """The customer had to go to an office."""

    visit_id: str
    visited_on: date
    purpose: VisitPurpose
    over_allowance: bool


class JobDueDateRecounted(JobEvent, event_type="job.due_date_recounted"):
    """A provisional due date was counted again on a year's schedule loaded since it was set."""

    step: str
    due_on: date
    provisional: bool


class JobContractorRecorded(JobEvent, event_type="job.contractor_recorded"):
    """The customer's contractor was recorded on a high-voltage job, and whether its licence was valid then."""

    licence_number: str
    licence_valid: bool
    # Why not: missing (not registered), expired, class_too_low or scope; None when valid.
    licence_problem: str | None


class JobAssigned(JobEvent, event_type="job.assigned"):
    """The job was given to a field engineer, or taken back (by a manager, or because the engineer left).

    Who holds it stays in workflow: an account id says nothing to the applicant and is no business of metrics.
    """

    assigned: bool
    reason: AssignmentReason


class JobConnected(JobEvent, event_type="job.connected"):
    """The last step is done: power is on."""

    category: str
    connected_at: AwareDatetime
    working_days: int
    paused_working_days: int
    customer_cost_yuan: Decimal
    visits: int
    within_limit: bool


PUBLISHED: tuple[type[EventPayload], ...] = (
    JobCreated,
    JobStepCompleted,
    JobPaused,
    JobResumed,
    JobFeeRecorded,
    JobVisitRecorded,
    JobDueDateRecounted,
    JobContractorRecorded,
    JobAssigned,
    JobConnected,
    CalendarYearPublished,
)
