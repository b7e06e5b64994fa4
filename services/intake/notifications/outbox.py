"""The messages owed to applicants: written beside their notification, claimed under a lease, recorded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.common.settings import ServiceSettings
from services.intake.applications.models import Application
from services.intake.notifications import texts
from services.intake.notifications.models import Notification, NotificationPreference, OutgoingMessage
from services.intake.notifications.quiet import QuietHours
from services.intake.settings import IntakeSettings

SMS, PUSH = "sms", "push"
PENDING, SENT, PARKED = "pending", "sent", "parked"
_table: Table = OutgoingMessage.__table__  # type: ignore[assignment]


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


async def queue(
    session: AsyncSession,
    *,
    notification: Notification,
    application: Application,
    sms_text: str,
    channels: Channels,
    now: datetime,
) -> list[OutgoingMessage]:
    """Owe the applicant an SMS and a push message for a notification, as they chose, in its transaction."""
    preference = await session.get(NotificationPreference, application.owner_id)
    wants_sms, wants_push = (preference.sms, preference.push) if preference else (True, True)
    phone = application.contact_phone.strip()
    owed: list[tuple[str, str | None, str, datetime]] = []
    if wants_sms and phone:
        # Written at night, an SMS waits for the morning; push is not held.
        owed.append((SMS, phone, texts.SMS_SIGNATURE + sms_text, channels.quiet.release_at(now)))
    if wants_push and channels.push:
        owed.append((PUSH, None, notification.body, now))
    messages = [
        OutgoingMessage(
            id=str(uuid.uuid4()),
            notification_id=notification.id,
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


@dataclass(frozen=True)
class Outcome:
    """What a round decided for one claimed message."""

    id: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None = None
    sent_at: datetime | None = None


async def claim(
    conn: AsyncConnection, *, now: datetime, until: datetime, token: str, limit: int, skip_locked: bool
) -> list[Claimed]:
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
        .where(
            candidate.c.status == PENDING,
            candidate.c.next_attempt_at <= now,
            candidate.c.locked_until.is_(None) | (candidate.c.locked_until < now),
            ~blocked,
        )
        .order_by(candidate.c.next_attempt_at, candidate.c.notification_id)
        .limit(limit)
    )
    lease = update(_table).values(locked_until=until, claim_token=token)
    if skip_locked:
        # PostgreSQL: rows another sender is claiming right now are passed over, not waited for.
        ids = (await conn.execute(due.with_for_update(skip_locked=True))).scalars().all()
        if not ids:
            return []
        lease = lease.where(_table.c.id.in_(ids))
    else:
        # SQLite: one UPDATE takes the write lock before it reads, so two claims cannot interleave.
        lease = lease.where(_table.c.id.in_(due))
    columns = [_table.c[name] for name in Claimed.__dataclass_fields__]
    rows = (await conn.execute(lease.returning(*columns))).all()
    return sorted((Claimed(*row) for row in rows), key=lambda row: (row.created_at, row.id))


async def record(conn: AsyncConnection, outcomes: list[Outcome], token: str) -> None:
    """Store each outcome and end its lease, for messages still leased under this token."""
    for outcome in outcomes:
        await conn.execute(
            update(_table)
            .where(_table.c.id == outcome.id, _table.c.claim_token == token)
            .values(
                status=outcome.status,
                attempts=outcome.attempts,
                next_attempt_at=outcome.next_attempt_at,
                last_error=outcome.last_error,
                sent_at=outcome.sent_at,
                locked_until=None,
                claim_token=None,
            )
        )


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
    statuses = (PARKED,) if parked_only else (PENDING, PARKED)
    query = (
        select(*(_table.c[name] for name in Waiting.__dataclass_fields__))
        .where(_table.c.status.in_(statuses))
        .order_by(_table.c.created_at, _table.c.id)
        .limit(limit)
    )
    return [Waiting(*row) for row in (await conn.execute(query)).all()]


async def requeue_parked(conn: AsyncConnection, *, now: datetime, ids: list[str] | None = None) -> int:
    """Give parked messages a fresh series of attempts from now; returns how many."""
    statement = (
        update(_table)
        .where(_table.c.status == PARKED)
        .values(status=PENDING, attempts=0, next_attempt_at=now, locked_until=None, claim_token=None)
    )
    if ids:
        statement = statement.where(_table.c.id.in_(ids))
    return (await conn.execute(statement)).rowcount


async def count(conn: AsyncConnection, status: str) -> int:
    """How many messages are in a status."""
    return int(await conn.scalar(select(func.count()).select_from(_table).where(_table.c.status == status)) or 0)
