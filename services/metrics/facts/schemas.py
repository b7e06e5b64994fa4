"""The evidence view of a case: every figure metrics hold about it, and nothing personal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.common.rules.models import StepCode


class StepRead(BaseModel):
    """A step with its limit, dates and elapsed working days."""

    code: StepCode
    limit_working_days: int | None = None
    started_at: datetime | None = None
    due_on: date | None = None
    completed_at: datetime | None = None
    elapsed_working_days: int | None = None
    overdue: bool = False


class FeeRead(BaseModel):
    """A recorded fee; flagged when a customer paid where zero investment applies."""

    fee_id: str
    code: str
    amount_yuan: Decimal
    payer: str
    flagged: bool


class VisitRead(BaseModel):
    """A customer trip to an office."""

    visit_id: str
    visited_on: date
    over_allowance: bool


class PauseRead(BaseModel):
    """A span when the clock stopped."""

    reason: str
    paused_at: datetime | None
    resumed_at: datetime | None
    paused_working_days: int | None


class CaseRead(BaseModel):
    """A case as metrics know it, with the steps, fees, visits and pauses behind its figures."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    source: str
    external_id: str | None
    category: str | None
    report_category: str | None
    business_type: str | None
    grid_company: str | None
    region: str | None
    channel: str | None
    rule_set: str | None
    zero_investment: bool | None
    allowed_visits: int | None
    total_limit_working_days: int | None
    submitted_at: datetime | None
    connected_at: datetime | None
    withdrawn_at: datetime | None
    due_on: date | None
    current_step: StepCode | None
    working_days: int | None
    paused_working_days: int
    within_limit: bool | None
    counted: bool
    step_count: int | None
    documents_supplied: int | None
    documents_reused: int | None
    customer_cost: Decimal
    visits: int
    evaluation_score: int | None
    steps: list[StepRead]
    fees: list[FeeRead]
    visit_log: list[VisitRead]
    pauses: list[PauseRead]
