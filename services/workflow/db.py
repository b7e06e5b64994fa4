"""The workflow database: declarative base and the event tables."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import new_metadata
from services.common.events import define_event_tables


class Base(DeclarativeBase):
    """Base of every workflow model."""

    metadata = new_metadata()


event_tables = define_event_tables(Base.metadata)
