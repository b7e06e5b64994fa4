"""The workflow database: declarative base, the event tables and the calendar tables."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.calendar import define_calendar_tables
from services.common.db import new_metadata
from services.common.events import define_event_tables
from services.common.idempotency import define_idempotency_table


class Base(DeclarativeBase):
    """Base of every workflow model."""

    metadata = new_metadata()


event_tables = define_event_tables(Base.metadata)
calendar_tables = define_calendar_tables(Base.metadata)
idempotency_table = define_idempotency_table(Base.metadata)
