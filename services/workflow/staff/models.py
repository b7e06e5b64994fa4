"""The staff directory kept from intake's announcements: who may be given a job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcDateTime
from services.workflow.db import Base


class StaffMember(Base):
    """A staff or manager account of a grid company, keyed by its account id (a token's `sub`)."""

    __tablename__ = "staff_member"
    __table_args__ = (Index("ix_staff_member_grid_company_username", "grid_company", "username"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    grid_company: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean)
    # The announcement's revision: an older one arriving late is ignored.
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
