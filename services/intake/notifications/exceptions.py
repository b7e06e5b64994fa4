"""Notification errors."""

from services.common.errors import NotFound


class NotificationNotFound(NotFound):
    slug, title = "notification-not-found", "Notification not found"
