"""The applicant's inbox of notifications and their choice of channels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.common.clock import CurrentClock
from services.common.db import DbSession
from services.common.errors import Unprocessable, problem_responses
from services.common.work import Work
from services.intake.access import AUTH_ERRORS, Applicant
from services.intake.notifications import service as notification_service
from services.intake.notifications.exceptions import AccountNotFound, NotificationNotFound
from services.intake.notifications.schemas import (
    NotificationPage,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
)

router = APIRouter(tags=["notifications"])


@router.get(
    "/api/v1/notifications", response_model=NotificationPage, responses=problem_responses(*AUTH_ERRORS, Unprocessable)
)
async def list_notifications(
    session: DbSession, applicant: Applicant, unread: Annotated[bool, Query()] = False
) -> NotificationPage:
    """The caller's notifications, newest first, with the number still unread."""
    items, unread_count = await notification_service.list_for(session, account_id=applicant.subject, unread=unread)
    return NotificationPage(items=[NotificationRead.model_validate(n) for n in items], unread_count=unread_count)


@router.post(
    "/api/v1/notifications/{notification_id}/read",
    response_model=NotificationRead,
    responses=problem_responses(*AUTH_ERRORS, NotificationNotFound, Unprocessable),
)
async def mark_notification_read(
    notification_id: Annotated[int, Path(ge=1, le=2**31 - 1)], work: Work, applicant: Applicant, clock: CurrentClock
) -> NotificationRead:
    """Mark one of the caller's notifications read."""
    notification = await notification_service.mark_read(
        work.session, account_id=applicant.subject, notification_id=notification_id, now=clock.now()
    )
    return NotificationRead.model_validate(notification)


@router.get(
    "/api/v1/me/notification-preferences",
    response_model=PreferencesRead,
    responses=problem_responses(*AUTH_ERRORS),
)
async def read_notification_preferences(session: DbSession, applicant: Applicant) -> PreferencesRead:
    """The channels the caller wants besides the inbox (all until chosen)."""
    preference = await notification_service.preferences(session, account_id=applicant.subject)
    return PreferencesRead(sms=preference.sms, push=preference.push)


@router.put(
    "/api/v1/me/notification-preferences",
    response_model=PreferencesRead,
    responses=problem_responses(*AUTH_ERRORS, AccountNotFound, Unprocessable),
)
async def update_notification_preferences(
    body: PreferencesUpdate, work: Work, applicant: Applicant, clock: CurrentClock
) -> PreferencesRead:
    """Choose whether to be told by SMS and by push as well as in the inbox."""
    preference = await notification_service.set_preferences(
        work.session, account_id=applicant.subject, sms=body.sms, push=body.push, now=clock.now()
    )
    return PreferencesRead(sms=preference.sms, push=preference.push)
