"""The case fact: what metrics keep of a case, with no personal data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcDateTime
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
        Index(
            "ix_case_fact_temporary_connected_on",
            "connected_on",
            postgresql_where=text("business_type = 'temporary'"),
            sqlite_where=text("business_type = 'temporary'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    report_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    business_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    grid_company: Mapped[str | None] = mapped_column(String(32), nullable=True)
    region: Mapped[str | None] = mapped_column(String(6), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rule_set: Mapped[str | None] = mapped_column(String(64), nullable=True)
    zero_investment: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    allowed_visits: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total_limit_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    case_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    current_step: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # While paused: the last working day on or before the pause, where the working-day clock stopped.
    paused_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    connected_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    connected_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    connected_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reported_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    paused_working_days: Mapped[int] = mapped_column(Integer, default=0)
    longest_pause_working_days: Mapped[int] = mapped_column(Integer, default=0)
    step_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    overdue_steps: Mapped[int] = mapped_column(Integer, default=0)
    documents_supplied: Mapped[int | None] = mapped_column(Integer, nullable=True)
    documents_reused: Mapped[int | None] = mapped_column(Integer, nullable=True)
    customer_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    flagged_fees: Mapped[int] = mapped_column(Integer, default=0)
    flagged_fee_yuan: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    visits: Mapped[int] = mapped_column(Integer, default=0)
    # Whether the customer's works were ever given to a contractor without a valid licence of the class.
    unlicensed_contractor: Mapped[bool] = mapped_column(Boolean, default=False)
    within_limit: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reported_within_limit: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    evaluation_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # When the applicant signed the supply contract online (null: not online, or not yet).
    contract_signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Per step: code, limit_working_days, started_at, due_on, completed_at, elapsed_working_days, overdue.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: [])
    # Fees: fee_id, code, amount_yuan, payer, flagged. Visits: visit_id, visited_on, over_allowance.
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: [])
    visit_log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: [])
    # Pauses: reason, paused_at, resumed_at, paused_working_days.
    pauses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=lambda: [])
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OpenCase(Base):
    """An open case with a deadline, copied from its fact: the overdue count reads this small table only.

    Open cases are a sliver of the history, so counting the overdue ones stays cheap however many closed
    cases the facts hold; the row goes when the case is connected or withdrawn.
    """

    __tablename__ = "open_case"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    grid_company: Mapped[str | None] = mapped_column(String(32), nullable=True)
    region: Mapped[str | None] = mapped_column(String(6), nullable=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    paused_on: Mapped[date | None] = mapped_column(Date, nullable=True)


OPEN_CASE_COLUMNS: tuple[str, ...] = ("id", "report_category", "grid_company", "region", "due_on", "paused_on")
