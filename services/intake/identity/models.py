"""Accounts: who may sign in, with which role."""

from __future__ import annotations

import uuid

from sqlalchemy import JSON, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import GridCompanyCode, UtcTimestamp, UuidText
from services.intake.db import Base


class Account(Base):
    """A person or organisation that signs in; applicants register, others are made by an admin."""

    __tablename__ = "account"

    id: Mapped[UuidText] = mapped_column(primary_key=True, default=lambda: str(uuid.uuid4()))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    grid_company: Mapped[GridCompanyCode | None]
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[UtcTimestamp]
    # A deactivated account signs in no more; its tokens still unexpired are refused where it is checked.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    deactivated_at: Mapped[UtcTimestamp | None]
    # Counts the changes announced to the staff directory, so that receivers keep the latest.
    directory_revision: Mapped[int] = mapped_column(default=0, server_default="0")


class Registration(Base):
    """A registration attempt, kept for an hour to hold each client to its quota (the address is hashed)."""

    __tablename__ = "registration"
    __table_args__ = (Index("ix_registration_client_registered_at", "client", "registered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(32))
    registered_at: Mapped[UtcTimestamp] = mapped_column(index=True)
