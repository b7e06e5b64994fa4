"""Application bodies: what a client may send, and what it reads back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

# The rule set's vocabulary, one source for the rules, the checks and the OpenAPI enums.
from services.common.rules.models import BusinessType, CustomerType, StepCode

__all__ = ["BusinessType", "CustomerType"]

Channel = Literal["app", "web", "wechat", "hall"]
Status = Literal["submitted", "in_progress", "paused", "connected", "withdrawn"]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,6}$")]
# Written with its two decimals as stored (100 kVA is 100.00), so an answer reads the same before and after.
Capacity = Annotated[
    Decimal,
    Field(gt=0, le=1_000_000, max_digits=12, decimal_places=2),
    AfterValidator(lambda kva: kva.quantize(Decimal("0.01"))),
]


class CaseBase(BaseModel):
    """What decides a case's category, steps and documents."""

    model_config = ConfigDict(extra="forbid")

    customer_type: CustomerType
    small_micro: bool = False
    business_type: BusinessType
    capacity_kva: Capacity
    dual_supply: bool = False
    # 重要客户: design review and intermediate inspection apply to high-voltage cases only for them.
    important_customer: bool = False
    region: RegionCode


class PrecheckRequest(CaseBase):
    """A case described before applying; with the address, property documents on file for it count as on file."""

    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = None


def _enough_digits(phone: str) -> str:
    # A number to call, and the last four digits the public lookup asks for: not "+0-----".
    if sum(c.isdigit() for c in phone) < 7:
        raise ValueError("a phone number has at least 7 digits")
    return phone


class ApplicationCreate(CaseBase):
    """An application; status, category and grid company are the platform's to set, never the client's."""

    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    contact_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    contact_phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{5,19}$"), AfterValidator(_enough_digits)]
    channel: Channel = "app"
    document_ids: list[Annotated[str, StringConstraints(max_length=36)]] = Field(default_factory=list, max_length=50)


class StepRead(BaseModel):
    """A step of the process with its time limit."""

    code: StepCode
    name: str
    limit_working_days: int


class PrecheckRead(BaseModel):
    """What applying for this case will take."""

    category: str
    access_voltage: Literal["low", "high"]
    zero_investment: bool
    grid_company: str
    steps: list[StepRead]
    total_limit_working_days: int
    allowed_visits: int
    required_documents: list[str]
    documents_on_file: list[str]
    expected_connection_on: date
    expected_connection_provisional: bool
    rule_set: str


class DocumentsRead(BaseModel):
    """Which documents the case needs, which were supplied now and which were reused from file."""

    required: list[str]
    supplied: list[str]
    reused: list[str]


class ProgressStep(BaseModel):
    """A step as the applicant follows it."""

    code: StepCode
    name: str
    limit_working_days: int
    started_at: datetime | None = None
    due_on: date | None = None
    completed_at: datetime | None = None


class TimelineEntry(BaseModel):
    """Something that happened to the case."""

    at: datetime
    event: str
    step: StepCode | None = None
    detail: str | None = None


class ProgressVisit(BaseModel):
    """A trip to an office the grid company recorded on the case; its id is the one a dispute names."""

    id: str
    visited_on: date
    purpose: str
    recorded_at: datetime


class ProgressFee(BaseModel):
    """A fee the grid company recorded on the case; its id is the one a dispute names."""

    id: str
    code: str
    amount_yuan: Decimal
    payer: Literal["customer", "grid"]
    recorded_at: datetime


class ProgressRead(BaseModel):
    """Where the case stands, with every visit and fee the grid company recorded on it."""

    current_step: StepCode | None
    steps: list[ProgressStep]
    timeline: list[TimelineEntry]
    visits: list[ProgressVisit] = Field(default_factory=list)
    fees: list[ProgressFee] = Field(default_factory=list)
    connected_at: datetime | None = None


class ApplicationRead(BaseModel):
    """An application as its owner sees it."""

    id: str
    number: str
    status: Status
    category: str
    access_voltage: Literal["low", "high"]
    zero_investment: bool
    grid_company: str
    customer_type: CustomerType
    small_micro: bool
    business_type: BusinessType
    capacity_kva: Decimal
    dual_supply: bool
    important_customer: bool
    region: str
    address: str
    contact_name: str
    contact_phone: str
    channel: Channel
    rule_set: str
    steps: list[StepRead]
    due_on: date
    due_on_provisional: bool
    submitted_at: datetime
    documents: DocumentsRead
    progress: ProgressRead
    evaluation_score: int | None = None


class ApplicationPage(BaseModel):
    """A page of the caller's applications."""

    items: list[ApplicationRead]
    total: int
    limit: int
    offset: int


class EvaluationCreate(BaseModel):
    """The applicant's rating of the service (好差评), once per case."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5)
    comment: Annotated[str, StringConstraints(max_length=1000)] | None = None
