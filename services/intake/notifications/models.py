"""The inbox of notifications and each applicant's choice of channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcDateTime
from services.intake.db import Base


class Notification(Base):
    """One message to an applicant about one of their cases."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_account_read", "account_id", "read_at"),)

    # A sequence, so the inbox lists notifications in the order they were made even at one instant.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"))
    # The event it came from: one notification per event and kind, however often the event is delivered.
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class NotificationPreference(Base):
    """Which channels besides the inbox an applicant wants; no row means all of them."""

    __tablename__ = "notification_preference"

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), primary_key=True)
    sms: Mapped[bool] = mapped_column(Boolean)
    push: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
