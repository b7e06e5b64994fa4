"""What the regulator's endpoints answer: names clients rely on (openapi/metrics.json, services/metrics/README.md)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ViolationKind = Literal[
    "customer_fee_zero_investment",
    "visits_over_allowance",
    "overdue_steps",
    "long_pause",
    "unlicensed_contractor",
    "disputed_visit",
    "disputed_fee",
]


class Figures(BaseModel):
    """The numbers of a set of cases: rates are fractions 0-1, costs in yuan, times in working days."""

    connected_count: int
    avg_working_days: float | None
    p90_working_days: int | None
    avg_steps: float | None
    avg_documents: float | None
    avg_customer_cost: float | None
    within_limit_rate: float | None
    zero_visit_rate: float | None
    online_rate: float | None
    avg_paused_working_days: float | None
    avg_evaluation: float | None
    open_overdue_count: int
    # Defaults, so that reports published before these figures existed still read back as they were.
    contracts_signed_online: int = Field(
        default=0,
        description="Cases of the set whose applicant signed the supply contract online (受理签约 without a visit).",
    )
    signed_online_share: float | None = Field(
        default=None, description="contracts_signed_online / connected_count: the share of the set's cases, 0-1."
    )


class CategoryRow(Figures):
    """The figures of one report category."""

    category: str


class Summary(BaseModel):
    """One row per report category, in a fixed order; a category without cases has count 0."""

    period: str
    rows: list[CategoryRow]


class TrendMonth(BaseModel):
    """One month's summary rows (cases connected in that month)."""

    month: str
    rows: list[CategoryRow]


class Trend(BaseModel):
    """Summary rows month by month; open_overdue_count is a figure of now, not of a month, so it is 0 here."""

    months: list[TrendMonth]


class CompanyRow(Figures):
    """A grid company's figures over every category, with its rank (1 = worst) and per-category rows.

    Complaints are those received in the period (by date received); complaints_per_10k is per 10,000 cases
    connected in the period. disputes_count is the applicants' disputes of the company's recorded visits and
    fees raised in the period (by date raised, Asia/Shanghai).
    """

    grid_company: str
    rank: int
    complaints_count: int
    complaints_per_10k: float | None
    disputes_count: int
    rows: list[CategoryRow]


class CompanyRanking(BaseModel):
    """Grid companies worst first: lowest share within the limit, then the longest average time."""

    period: str
    companies: list[CompanyRow]


class TemporaryRow(Figures):
    """Temporary (construction) connections of one grid company ("all": every company in scope).

    A line of its own in the report; these cases are also counted in their report categories.
    """

    grid_company: str
    category: Literal["temporary"] = "temporary"


class Report(BaseModel):
    """The half-year report: the summary, the company ranking and the temporary connections of one period."""

    period: str
    period_from: date
    period_to: date
    rows: list[CategoryRow]
    companies: list[CompanyRow]
    temporary: list[TemporaryRow]


class OverdueCase(BaseModel):
    """An open case past its next deadline."""

    case_id: str
    source: str
    category: str | None
    report_category: str | None
    grid_company: str | None
    region: str | None
    current_step: str | None
    due_on: date
    working_days_overdue: int
    paused: bool


class OverduePage(BaseModel):
    """Open overdue cases, the longest overdue first."""

    items: list[OverdueCase]
    total: int
    limit: int
    offset: int


class DisputedRecord(BaseModel):
    """A visit or fee recorded on the case that its applicant disputed (record_id: workflow's visit or fee id)."""

    model_config = ConfigDict(from_attributes=True)

    record: Literal["visit", "fee"]
    record_id: str
    record_on: date
    disputed_on: date


class Violation(BaseModel):
    """A case with at least one breach of the rules, and the evidence of each.

    `disputed_visit` and `disputed_fee` mean the applicant disputed a visit or fee the grid company recorded:
    the company's records are not the only word on the case's zero-visit and zero-cost figures.
    """

    case_id: str
    source: str
    report_category: str | None
    grid_company: str | None
    region: str | None
    connected_on: date | None
    kinds: list[ViolationKind]
    flagged_fee_yuan: float
    visits: int
    allowed_visits: int | None
    overdue_steps: list[str]
    longest_pause_working_days: int
    disputes: list[DisputedRecord]


class ViolationPage(BaseModel):
    """Violations of a period."""

    period: str
    long_pause_working_days: int
    items: list[Violation]
    total: int
    limit: int
    offset: int
