"""Calendar tables: one row per year with an official schedule, one per day that breaks the weekly pattern."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcDateTime
from services.workflow.db import Base

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"


class CalendarYear(Base):
    """A year whose schedule is stored; an unpublished year counts Monday to Friday."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    published: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CalendarDay(Base):
    """A statutory day off, or a weekend day worked to make up for one (调休)."""

    __tablename__ = "calendar_day"
    __table_args__ = (CheckConstraint(f"kind IN ('{HOLIDAY}', '{MAKEUP_WORKDAY}')", name="kind"),)

    falls_on: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_year.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
