"""A dispute as metrics keep it: which record of which case, and when; the applicant's reason stays in intake."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import CaseId, GridCompanyCode, RegionCode, UtcTimestamp, UuidText
from services.metrics.db import Base


class Dispute(Base):
    """An applicant disputed a visit or fee recorded on a case: counted against the company, listed as a violation."""

    __tablename__ = "dispute"
    __table_args__ = (
        Index("ix_dispute_disputed_on", "disputed_on"),
        Index("ix_dispute_case_id", "case_id"),
    )

    id: Mapped[UuidText] = mapped_column(primary_key=True)
    case_id: Mapped[CaseId]
    record: Mapped[str] = mapped_column(String(8))
    record_id: Mapped[UuidText]
    grid_company: Mapped[GridCompanyCode]
    region: Mapped[RegionCode]
    # The day of the visit, or the day the fee was recorded.
    record_on: Mapped[date]
    disputed_at: Mapped[UtcTimestamp]
    # In Asia/Shanghai: a company's disputes of a period are those raised in it, as its complaints are.
    disputed_on: Mapped[date]
