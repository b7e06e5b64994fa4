"""Job bodies: what field staff and managers send, and what they read back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.common.rules.models import StepCode
from services.workflow.cases.schemas import CaseRead
from services.workflow.events import PauseReason, Payer, VisitPurpose
from services.workflow.evidence.schemas import EvidenceRead

Status = Literal["in_progress", "paused", "connected", "withdrawn"]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
# -0 passes `ge=0`; as 0 it is the same amount, and is written so.
Yuan = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False),
    AfterValidator(lambda amount: amount.copy_abs()),
]


class StepRead(BaseModel):
    """A step with its clock; for the current step, elapsed days and overdue are as of now."""

    code: StepCode
    name: str
    limit_working_days: int
    started_at: datetime | None
    due_on: date | None
    due_on_provisional: bool
    completed_at: datetime | None
    elapsed_working_days: int | None
    paused_working_days: int
    overdue: bool
    note: str | None = None
    meter_number: str | None = None
    meter_reading: Decimal | None = None


class PauseRead(BaseModel):
    """A stop of the clock; working_days is set once it ends."""

    step: StepCode
    reason: PauseReason
    note: str | None
    started_at: datetime
    ended_at: datetime | None
    working_days: int | None


class FeeRead(BaseModel):
    """A recorded fee; flagged when a customer pays where zero investment applies."""

    id: str
    code: str
    amount_yuan: Decimal
    payer: Payer
    note: str | None
    flagged: bool
    recorded_at: datetime
    recorded_by: str


class VisitRead(BaseModel):
    """A customer's trip to an office; over_allowance when the category allows fewer."""

    id: str
    visited_on: date
    purpose: VisitPurpose
    over_allowance: bool
    recorded_at: datetime
    recorded_by: str


class JobRead(BaseModel):
    """A job as field staff and managers see it."""

    id: str
    application_id: str
    status: Status
    category: str
    grid_company: str
    region: str
    rule_set: str
    current_step: StepCode | None
    due_on: date | None
    overdue: bool
    working_days_left: int | None = Field(
        default=None,
        description="Working days until the current step is due, on the State Council calendar: 0 when due "
        "today, negative once overdue by that many. A paused job's clock stands still: counted from the day it "
        "paused. Null once the job is connected or withdrawn.",
    )
    assignee: str | None = Field(description="The account id of the field engineer working the job.")
    contractor_licence_number: str | None = None
    contract_signed_at: datetime | None = Field(
        default=None, description="When the applicant signed the supply contract online in intake (null: not yet)."
    )
    contract_sha256: str | None = Field(
        default=None, description="SHA-256 of the contract's PDF as signed, as intake serves it."
    )
    version: int
    submitted_at: datetime
    connected_at: datetime | None
    withdrawn_at: datetime | None
    steps: list[StepRead]
    paused_working_days: int
    pauses: list[PauseRead]
    fees: list[FeeRead]
    visits: list[VisitRead]
    case: CaseRead | None = Field(
        default=None,
        description="The case's address, contact, customer and documents: on `GET /api/v1/jobs/{id}` for staff "
        "and managers of the job's company, once intake has shared it; null elsewhere and for other roles.",
    )
    evidence: list[EvidenceRead] | None = Field(
        default=None,
        description="The evidence uploaded from the site, oldest first: on `GET /api/v1/jobs/{id}` for staff and "
        "managers of the job's company; null elsewhere and for other roles.",
    )


class JobPage(BaseModel):
    """A page of jobs and how many match in all."""

    items: list[JobRead]
    total: int
    limit: int
    offset: int


class AssignmentUpdate(BaseModel):
    """Who in the company works the job; null unassigns it."""

    model_config = ConfigDict(extra="forbid")

    assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = Field(
        description="The `id` of an active `staff` member of the job's company, as `GET /api/v1/staff` lists "
        "them (anyone else: 422 `assignee-invalid`); null to unassign."
    )


class StepCompletion(BaseModel):
    """What the field engineer records on completing a step; the rule set says what a step needs."""

    model_config = ConfigDict(extra="forbid")

    note: Note | None = None
    meter_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$")] | None
    ) = Field(default=None, description="The number on the meter's plate (letters, digits, hyphens).")
    meter_reading: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False)] | None = Field(
        default=None, description="The meter's reading at connection, in kWh."
    )


class PauseCreate(BaseModel):
    """Why the clock stops."""

    model_config = ConfigDict(extra="forbid")

    reason: PauseReason
    note: Note | None = None


class FeeCreate(BaseModel):
    """A fee charged for the connection, in yuan with at most two decimal places."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    amount_yuan: Yuan
    payer: Payer
    note: Note | None = None


class VisitCreate(BaseModel):
    """A customer trip to an office, on a day between the application's submission and today."""

    model_config = ConfigDict(extra="forbid")

    visited_on: date = Field(
        ge=date(2000, 1, 1), description="Not before the application was submitted (Beijing date), not after today."
    )
    purpose: VisitPurpose


class AuditEntryRead(BaseModel):
    """One link of a job's audit chain."""

    seq: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class BrokenLink(BaseModel):
    """Where a chain does not verify, and why."""

    job_id: str
    seq: int
    reason: str


class AuditReport(BaseModel):
    """The result of recomputing audit chains."""

    ok: bool
    checked: int
    broken: list[BrokenLink]
