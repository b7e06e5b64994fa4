"""The metrics database: declarative base, the inbox of the events it receives (it publishes none), the calendar."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.calendar import define_calendar_tables
from services.common.db import new_metadata
from services.common.events import define_inbox_table
from services.common.idempotency import define_idempotency_table


class Base(DeclarativeBase):
    """Base of every metrics model."""

    metadata = new_metadata()


inbox = define_inbox_table(Base.metadata)
# A copy of workflow's calendar, kept in step by the calendar.year_published event.
calendar_tables = define_calendar_tables(Base.metadata)
idempotency_table = define_idempotency_table(Base.metadata)
