"""Writing notifications (with the messages they owe), listing and reading them, and the applicant's channels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications import service as application_service
from services.intake.applications.models import Application
from services.intake.identity.models import Account
from services.intake.notifications import outbox, texts
from services.intake.notifications.exceptions import AccountNotFound, NotificationNotFound
from services.intake.notifications.models import Notification, NotificationPreference
from services.workflow import events as job_events

MAX_LISTED = 200


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else texts.NONE


def _step_name(steps: Iterable[Mapping[str, Any]], code: str | None) -> str:
    return next((str(step["name"]) for step in steps if step.get("code") == code), texts.NONE)


def event_fields(application: Application, event: job_events.JobEvent) -> dict[str, str]:
    """What a text may say of a job event: the case's number, step and due date, and what the event records."""
    steps = [step.model_dump(include={"code", "name"}) for step in event.steps]
    return {
        "number": application.number,
        "step": _step_name(steps, getattr(event, "step", None) or event.current_step),
        "next_step": _step_name(steps, event.current_step),
        "due_on": _day(application_service.case_due_on(application)),
        "reason": texts.PAUSE_REASONS.get(getattr(event, "reason", ""), texts.NONE),
        "payer": texts.PAYERS.get(getattr(event, "payer", ""), texts.NONE),
        "purpose": texts.VISIT_PURPOSES.get(getattr(event, "purpose", ""), texts.NONE),
        "visited_on": _day(getattr(event, "visited_on", None)),
        "amount_yuan": f"{getattr(event, 'amount_yuan', 0):.2f}",
    }


def case_fields(application: Application) -> dict[str, str]:
    """What a reminder may say: the case's number, its current step and its due date as they now stand."""
    progress = application.progress
    # Before the job exists the case is at its first step, as the rule set gave it at submission.
    steps = progress.get("steps") or application.steps
    current = progress["current_step"] if "current_step" in progress else (steps[0]["code"] if steps else None)
    return {
        "number": application.number,
        "step": _step_name(steps, current),
        "due_on": _day(application_service.case_due_on(application)),
    }


async def tell(
    session: AsyncSession,
    *,
    application: Application,
    kind: str,
    key: str,
    fields: Mapping[str, str],
    channels: outbox.Channels,
    wants: outbox.Wanted,
    now: datetime,
) -> Notification:
    """Put a notification in the owner's inbox and owe them its SMS and push message, in one transaction.

    `key` names what the notification is about (the event's id, or the day's reminder): one per key. Both are
    written with the rest of the transaction (a batch of events writes its notifications together).
    """
    title, body = texts.TEXTS[kind]
    notification = Notification(
        account_id=application.owner_id,
        application_id=application.id,
        event_id=key,
        kind=kind,
        title=title.format(**fields),
        body=body.format(**fields),
        created_at=now,
    )
    session.add(notification)
    sms_text = texts.SMS_TEXTS[kind].format(**fields)
    outbox.queue(
        session,
        notification=notification,
        application=application,
        sms_text=sms_text,
        channels=channels,
        wants=wants,
        now=now,
    )
    return notification


async def list_for(session: AsyncSession, *, account_id: str, unread: bool) -> tuple[list[Notification], int]:
    """The account's notifications, newest first (only the unread ones if asked), and the unread count."""
    query = select(Notification).where(Notification.account_id == account_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    items = list(await session.scalars(query.order_by(Notification.id.desc()).limit(MAX_LISTED)))
    unread_count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.account_id == account_id, Notification.read_at.is_(None))
    )
    return items, int(unread_count or 0)


async def mark_read(session: AsyncSession, *, account_id: str, notification_id: int, now: datetime) -> Notification:
    """Mark one of the account's notifications read; reading it again keeps the first time."""
    notification = await session.get(Notification, notification_id)
    if notification is None or notification.account_id != account_id:
        raise NotificationNotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = now
        await session.flush()
    return notification


async def set_preferences(
    session: AsyncSession, *, account_id: str, sms: bool, push: bool, now: datetime
) -> NotificationPreference:
    """Record the channels an applicant wants; 404 for a token whose account no longer exists."""
    if await session.get(Account, account_id) is None:
        raise AccountNotFound("No account for this token.")
    preference = await session.get(NotificationPreference, account_id, with_for_update=True)
    if preference is None:
        preference = NotificationPreference(account_id=account_id, sms=sms, push=push, updated_at=now)
        session.add(preference)
    else:
        preference.sms, preference.push, preference.updated_at = sms, push, now
    await session.flush()
    return preference


async def preferences(session: AsyncSession, *, account_id: str) -> NotificationPreference:
    """The channels an applicant wants; all of them until they say otherwise."""
    found = await session.get(NotificationPreference, account_id)
    return found or NotificationPreference(account_id=account_id, sms=True, push=True)
