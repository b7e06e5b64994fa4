"""The messages owed to applicants: written beside their notification, claimed under a lease, recorded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.common import leasing
from services.common.events.tables import PENDING
from services.common.leasing import Lease, Outcome
from services.common.settings import ServiceSettings
from services.intake.applications.models import Application
from services.intake.notifications import texts
from services.intake.notifications.models import Notification, NotificationPreference, OutgoingMessage
from services.intake.notifications.quiet import QuietHours
from services.intake.settings import IntakeSettings

SMS, PUSH = "sms", "push"
SENT = "sent"
_table: Table = OutgoingMessage.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Wanted:
    """The channels besides the inbox an applicant wants; with no preference on file, all of them."""

    sms: bool = True
    push: bool = True

    @classmethod
    def by(cls, preference: NotificationPreference | None) -> Wanted:
        """What a preference row (or its absence) says."""
        return cls() if preference is None else cls(sms=preference.sms, push=preference.push)


async def wanted(session: AsyncSession, account_id: str) -> Wanted:
    """The channels an account wants, read from its preference."""
    return Wanted.by(await session.get(NotificationPreference, account_id))


@dataclass(frozen=True)
class Channels:
    """What may be sent besides the inbox: SMS always (by the configured provider), push with a gateway."""

    quiet: QuietHours
    push: bool

    @classmethod
    def of(cls, settings: ServiceSettings) -> Channels:
        """The channels intake's settings configure."""
        if not isinstance(settings, IntakeSettings):
            raise TypeError("messages are intake's: its settings are needed")
        return cls(QuietHours(settings.sms_quiet_from, settings.sms_quiet_until), push=bool(settings.push_url))


def queue(
    session: AsyncSession,
    *,
    notification: Notification,
    application: Application,
    sms_text: str,
    channels: Channels,
    wants: Wanted,
    now: datetime,
) -> list[OutgoingMessage]:
    """Owe the applicant an SMS and a push message for a notification, as they chose, in its transaction."""
    phone = application.contact_phone.strip()
    owed: list[tuple[str, str | None, str, datetime]] = []
    if wants.sms and phone:
        # Written at night, an SMS waits for the morning; push is not held.
        owed.append((SMS, phone, texts.SMS_SIGNATURE + sms_text, channels.quiet.release_at(now)))
    if wants.push and channels.push:
        owed.append((PUSH, None, notification.body, now))
    messages = [
        OutgoingMessage(
            id=str(uuid.uuid4()),
            # The notification's id is the database's: the message takes it when both are written.
            notification=notification,
            account_id=notification.account_id,
            application_id=notification.application_id,
            channel=channel,
            kind=notification.kind,
            phone=to,
            title=notification.title,
            text=text,
            status=PENDING,
            attempts=0,
            next_attempt_at=due,
            created_at=now,
        )
        for channel, to, text, due in owed
    ]
    session.add_all(messages)
    return messages


@dataclass(frozen=True)
class Claimed:
    """A message leased to one sender for one round."""

    id: str
    channel: str
    account_id: str
    application_id: str
    kind: str
    phone: str | None
    title: str
    text: str
    attempts: int
    created_at: datetime


async def claim(conn: AsyncConnection, lease: Lease) -> list[Claimed]:
    """Lease the oldest due messages whose case has no earlier one pending on their channel; in a transaction."""
    candidate, earlier = _table.alias("candidate"), _table.alias("earlier")
    # A case's earlier message, held for the morning or backing off, holds every later one of its channel.
    blocked = exists().where(
        earlier.c.application_id == candidate.c.application_id,
        earlier.c.channel == candidate.c.channel,
        earlier.c.status == PENDING,
        earlier.c.notification_id < candidate.c.notification_id,
    )
    due = (
        select(candidate.c.id)
        .where(leasing.is_due(candidate, lease.now), ~blocked)
        .order_by(candidate.c.next_attempt_at, candidate.c.notification_id)
        .limit(lease.limit)
    )
    rows = await leasing.claim(conn, _table, key="id", due=due, lease=lease, columns=Claimed.__dataclass_fields__)
    return sorted((Claimed(*row) for row in rows), key=lambda row: (row.created_at, row.id))


async def record(conn: AsyncConnection, outcomes: list[Outcome], token: str) -> None:
    """Store each outcome and end its lease, for messages still leased under this token."""
    await leasing.record(conn, _table, outcomes, token, key="id", delivered_at="sent_at")


@dataclass(frozen=True)
class Waiting:
    """A message not sent yet, as an operator sees it (no phone number)."""

    id: str
    status: str
    attempts: int
    channel: str
    kind: str
    application_id: str
    next_attempt_at: datetime
    last_error: str | None


async def unsent(conn: AsyncConnection, *, parked_only: bool, limit: int) -> list[Waiting]:
    """Messages not sent yet (or only the parked ones), oldest first: for an operator."""
    rows = await leasing.waiting(
        conn,
        _table,
        columns=Waiting.__dataclass_fields__,
        oldest_first=[_table.c.created_at, _table.c.id],
        parked_only=parked_only,
        limit=limit,
    )
    return [Waiting(*row) for row in rows]


async def requeue_parked(conn: AsyncConnection, *, now: datetime, ids: list[str] | None = None) -> int:
    """Give parked messages a fresh series of attempts from now; returns how many."""
    named = [_table.c.id.in_(ids)] if ids else []
    return await leasing.requeue_parked(conn, _table, *named, now=now)


async def count(conn: AsyncConnection, status: str) -> int:
    """How many messages are in a status."""
    return await leasing.count_status(conn, _table, status)
