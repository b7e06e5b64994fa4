"""The metrics database: declarative base, the event tables and the calendar tables."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.calendar import define_calendar_tables
from services.common.db import new_metadata
from services.common.events import define_event_tables


class Base(DeclarativeBase):
    """Base of every metrics model."""

    metadata = new_metadata()


event_tables = define_event_tables(Base.metadata)
# A copy of workflow's calendar, kept in step by the calendar.year_published event.
calendar_tables = define_calendar_tables(Base.metadata)
