"""The calendar tables, as SQLAlchemy Core tables on a service's metadata.

calendar_year: one row per year whose schedule is stored (an unpublished year counts Monday to Friday).
calendar_day: one row per statutory day off, or weekend day worked to make up for one (调休).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Boolean, CheckConstraint, Column, Date, ForeignKey, Integer, MetaData, String, Table

from services.common.db import UtcDateTime

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class CalendarTables:
    """The calendar of one service's database."""

    year: Table
    day: Table


def define_calendar_tables(metadata: MetaData) -> CalendarTables:
    """Add calendar_year and calendar_day to a service's metadata."""
    year = Table(
        "calendar_year",
        metadata,
        Column("year", Integer, primary_key=True, autoincrement=False),
        Column("published", Boolean, nullable=False),
        Column("source", String(200), nullable=False),
        Column("loaded_at", UtcDateTime, nullable=False),
    )
    day = Table(
        "calendar_day",
        metadata,
        Column("falls_on", Date, primary_key=True),
        Column("year", ForeignKey("calendar_year.year", ondelete="CASCADE"), nullable=False, index=True),
        Column("kind", String(16), nullable=False),
        Column("name", String(100), nullable=False),
        CheckConstraint(f"kind IN ('{HOLIDAY}', '{MAKEUP_WORKDAY}')", name="kind"),
    )
    return CalendarTables(year=year, day=day)
