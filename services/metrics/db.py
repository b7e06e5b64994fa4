"""The metrics database: declarative base and the inbox of the events it receives (it publishes none)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import new_metadata
from services.common.events import define_inbox_table


class Base(DeclarativeBase):
    """Base of every metrics model."""

    metadata = new_metadata()


inbox = define_inbox_table(Base.metadata)
