"""A 12398 hotline complaint as a regulator recorded it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import CaseId, GridCompanyCode, RegionCode, UtcTimestamp, UuidText
from services.metrics.db import Base


class Complaint(Base):
    """One hotline record, pointing at a case when the caller named one."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_received_on", "received_on"),)

    id: Mapped[UuidText] = mapped_column(primary_key=True)
    received_at: Mapped[UtcTimestamp]
    received_on: Mapped[date]
    region: Mapped[RegionCode]
    grid_company: Mapped[GridCompanyCode]
    category: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    application_id: Mapped[CaseId | None]
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[UtcTimestamp]
    # received -> assigned (to the grid company) -> resolved, with the resolution as written.
    status: Mapped[str] = mapped_column(String(16), server_default="received")
    resolution: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str | None] = mapped_column(String(64))
    handled_at: Mapped[UtcTimestamp | None]


# The table, for statements written in SQLAlchemy Core.
COMPLAINT: Table = Complaint.__table__  # type: ignore[assignment]
