"""Notification errors."""

from services.common.errors import NotFound
from services.intake.identity.exceptions import AccountNotFound

__all__ = ["AccountNotFound", "NotificationNotFound"]


class NotificationNotFound(NotFound, slug="notification-not-found", title="Notification not found"): ...
