"""A 12398 hotline complaint as a regulator recorded it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcDateTime
from services.metrics.db import Base


class Complaint(Base):
    """One hotline record, pointing at a case when the caller named one."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_received_on", "received_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_on: Mapped[date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(6))
    grid_company: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    application_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # received -> assigned (to the grid company) -> resolved, with the resolution as written.
    status: Mapped[str] = mapped_column(String(16), server_default="received")
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
