"""Notification errors."""

from services.common.errors import NotFound


class NotificationNotFound(NotFound):
    slug, title = "notification-not-found", "Notification not found"


class AccountNotFound(NotFound):
    slug, title = "account-not-found", "Account not found"
