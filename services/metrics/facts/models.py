"""The case fact: what metrics keep of a case, with no personal data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, Numeric, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import (
    CaseId,
    GridCompanyCode,
    RegionCode,
    RuleCode,
    RuleSetId,
    UtcTimestamp,
    UuidText,
    partial_index,
)
from services.metrics.db import Base

LIVE, IMPORT = "live", "import"


class CaseFact(Base):
    """One case: the application id for a live case, a generated id for an imported one.

    Fields arrive from several publishers in any order, so nearly everything may still be unknown (null);
    the derived fields (working_days, within_limit, counted, due_on...) are recomputed after every change.
    """

    __tablename__ = "case_fact"
    __table_args__ = (
        UniqueConstraint("grid_company", "external_id", name="uq_case_fact_grid_company_external_id"),
        Index("ix_case_fact_connected_on", "connected_on"),
        # Temporary connections are a report line of their own, read from the few facts this index holds.
        partial_index("ix_case_fact_temporary_connected_on", "connected_on", where="business_type = 'temporary'"),
    )

    id: Mapped[CaseId] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str | None] = mapped_column(String(64))
    job_id: Mapped[UuidText | None]
    category: Mapped[RuleCode | None]
    report_category: Mapped[RuleCode | None]
    business_type: Mapped[RuleCode | None]
    grid_company: Mapped[GridCompanyCode | None]
    region: Mapped[RegionCode | None]
    channel: Mapped[str | None] = mapped_column(String(16))
    rule_set: Mapped[RuleSetId | None]
    zero_investment: Mapped[bool | None]
    allowed_visits: Mapped[int | None]
    total_limit_working_days: Mapped[int | None]
    submitted_at: Mapped[UtcTimestamp | None]
    submitted_on: Mapped[date | None]
    case_due_on: Mapped[date | None]
    due_on: Mapped[date | None]
    current_step: Mapped[RuleCode | None]
    # While paused: the last working day on or before the pause, where the working-day clock stopped.
    paused_on: Mapped[date | None]
    connected_at: Mapped[UtcTimestamp | None]
    connected_on: Mapped[date | None]
    connected_month: Mapped[int | None]
    withdrawn_at: Mapped[UtcTimestamp | None]
    is_open: Mapped[bool] = mapped_column(default=True)
    counted: Mapped[bool] = mapped_column(default=False)
    working_days: Mapped[int | None]
    reported_working_days: Mapped[int | None]
    paused_working_days: Mapped[int] = mapped_column(default=0)
    longest_pause_working_days: Mapped[int] = mapped_column(default=0)
    step_count: Mapped[int | None]
    overdue_steps: Mapped[int] = mapped_column(default=0)
    documents_supplied: Mapped[int | None]
    documents_reused: Mapped[int | None]
    customer_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    flagged_fees: Mapped[int] = mapped_column(default=0)
    flagged_fee_yuan: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    visits: Mapped[int] = mapped_column(default=0)
    # Whether the customer's works were ever given to a contractor without a valid licence of the class.
    unlicensed_contractor: Mapped[bool] = mapped_column(default=False)
    within_limit: Mapped[bool | None]
    reported_within_limit: Mapped[bool | None]
    evaluation_score: Mapped[int | None]
    # When the applicant signed the supply contract online (null: not online, or not yet).
    contract_signed_at: Mapped[UtcTimestamp | None]
    # Per step: code, limit_working_days, started_at, due_on, completed_at, elapsed_working_days, overdue.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: [])
    # Fees: fee_id, code, amount_yuan, payer, flagged. Visits: visit_id, visited_on, over_allowance.
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: [])
    visit_log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: [])
    # Pauses: reason, paused_at, resumed_at, paused_working_days.
    pauses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: [])
    updated_at: Mapped[UtcTimestamp]
    # Its open_case row: read with the fact under the fact's lock, written (or removed) with it.
    open_case: Mapped[OpenCase | None] = relationship(
        primaryjoin="CaseFact.id == foreign(OpenCase.id)", cascade="all, delete-orphan", lazy="raise"
    )


class OpenCase(Base):
    """An open case with a deadline, copied from its fact: the overdue count reads this small table only.

    Open cases are a sliver of the history, so counting the overdue ones stays cheap however many closed
    cases the facts hold; the row goes when the case is connected or withdrawn.
    """

    __tablename__ = "open_case"

    id: Mapped[CaseId] = mapped_column(primary_key=True)
    report_category: Mapped[RuleCode | None]
    grid_company: Mapped[GridCompanyCode | None]
    region: Mapped[RegionCode | None]
    due_on: Mapped[date] = mapped_column(index=True)
    paused_on: Mapped[date | None]


# The tables, for statements written in SQLAlchemy Core.
FACT: Table = CaseFact.__table__  # type: ignore[assignment]
OPEN_CASE: Table = OpenCase.__table__  # type: ignore[assignment]
OPEN_CASE_COLUMNS: tuple[str, ...] = ("id", "report_category", "grid_company", "region", "due_on", "paused_on")
