"""Notification bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal[
    "job_created",
    "step_completed",
    "paused",
    "resumed",
    "fee_recorded",
    "visit_recorded",
    "connected",
    "due_soon",
    "overdue",
    "contract_ready",
]


class NotificationRead(BaseModel):
    """One notification in the inbox."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: str
    kind: Kind
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    """The caller's notifications, newest first, and how many are unread."""

    items: list[NotificationRead]
    unread_count: int


class PreferencesUpdate(BaseModel):
    """The channels an applicant wants besides the inbox."""

    model_config = ConfigDict(extra="forbid")

    sms: bool
    push: bool


class PreferencesRead(PreferencesUpdate):
    """The channels an applicant has chosen."""
