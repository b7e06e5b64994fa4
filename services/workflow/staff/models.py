"""The staff directory kept from intake's announcements: who may be given a job."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import GridCompanyCode, UtcTimestamp, UuidText
from services.workflow.db import Base


class StaffMember(Base):
    """A staff or manager account of a grid company, keyed by its account id (a token's `sub`)."""

    __tablename__ = "staff_member"
    __table_args__ = (Index("ix_staff_member_grid_company_username", "grid_company", "username"),)

    id: Mapped[UuidText] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    grid_company: Mapped[GridCompanyCode]
    active: Mapped[bool]
    # The announcement's revision: an older one arriving late is ignored.
    revision: Mapped[int]
    updated_at: Mapped[UtcTimestamp]
