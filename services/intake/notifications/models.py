"""The inbox of notifications, each applicant's choice of channels, the messages owed and the daily reminders."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import PhoneNumber, UtcTimestamp, UuidText
from services.intake.db import Base


class Notification(Base):
    """One message to an applicant about one of their cases."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_account_read", "account_id", "read_at"),)

    # A sequence, so the inbox lists notifications in the order they were made even at one instant.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"))
    # The event it came from: one notification per event and kind, however often the event is delivered.
    event_id: Mapped[UuidText] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[UtcTimestamp]
    read_at: Mapped[UtcTimestamp | None]


class NotificationPreference(Base):
    """Which channels besides the inbox an applicant wants; no row means all of them."""

    __tablename__ = "notification_preference"

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), primary_key=True)
    sms: Mapped[bool]
    push: Mapped[bool]
    updated_at: Mapped[UtcTimestamp]


class OutgoingMessage(Base):
    """An SMS or push message owed to an applicant: the outbox the sender works through, each sent once.

    Written in the transaction of the notification it carries, so a notification never exists without its
    messages nor a message without its notification. The id is the idempotency key the provider sees.
    """

    __tablename__ = "outgoing_message"
    __table_args__ = (
        # The sender's claim: due pending rows, oldest first.
        Index("ix_outgoing_message_status_next_attempt_at", "status", "next_attempt_at"),
        # What keeps a case's messages in order: an earlier pending one of the same case and channel.
        Index("ix_outgoing_message_application_channel", "application_id", "channel", "status"),
    )

    id: Mapped[UuidText] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    # Set when the message is made, so its notification is written first without a flush of its own.
    notification: Mapped[Notification] = relationship(lazy="raise")
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"))
    channel: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    # The phone an SMS goes to, as the application gave it; none for push (the gateway knows the devices).
    phone: Mapped[PhoneNumber | None]
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[UtcTimestamp]
    # A sender holds the rows it claimed until then, under its token; another takes them over after.
    locked_until: Mapped[UtcTimestamp | None]
    claim_token: Mapped[UuidText | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[UtcTimestamp]
    sent_at: Mapped[UtcTimestamp | None]


class Reminder(Base):
    """A due-soon or overdue reminder given for a case on a day: the key makes it at most one a day."""

    __tablename__ = "reminder"

    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    reminded_on: Mapped[date] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"))


class ReminderCheck(Base):
    """A day's check for cases due soon or overdue: the loop in each replica runs it once a day."""

    __tablename__ = "reminder_check"

    checked_on: Mapped[date] = mapped_column(primary_key=True)
    started_at: Mapped[UtcTimestamp]
    finished_at: Mapped[UtcTimestamp]
    due_soon: Mapped[int]
    overdue: Mapped[int]
