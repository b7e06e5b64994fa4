"""Where messages go: an SMS provider (the log, or a generic HTTP provider) and the frontends' push gateway."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Protocol

import httpx

from services.common.clock import Clock
from services.common.events.signing import sign
from services.intake.notifications.outbox import PUSH, SMS, Claimed
from services.intake.settings import IntakeSettings

logger = logging.getLogger("zerovisit.intake.messages")

# Answers that say the far end is away or overloaded, not that it refuses this message: wait, never park.
_AWAY_STATUSES = frozenset({429, 502, 503, 504})
_MAX_ERROR_LENGTH = 500


class DeliveryFailed(Exception):
    """A message was not accepted; `away` when the far end is unreachable or overloaded rather than refusing."""

    def __init__(self, error: str, *, away: bool) -> None:
        super().__init__(error[:_MAX_ERROR_LENGTH])
        self.away = away


class Outlet(Protocol):
    """Something that takes a message for delivery, or raises DeliveryFailed."""

    async def send(self, message: Claimed) -> None: ...


def masked(phone: str | None) -> str:
    """A phone number as a log line may show it: the last four digits."""
    return f"***{phone[-4:]}" if phone else "-"


class LogSms:
    """The development provider: each SMS is written to the log and counts as sent."""

    async def send(self, message: Claimed) -> None:
        """Log the message (the number masked: a log is no place for it)."""
        logger.info("sms %s to %s: %s", message.id, masked(message.phone), message.text)


async def _post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]) -> None:
    try:
        # The client's own timeout bounds each request (INTAKE_MESSAGES_TIMEOUT_SECONDS).
        response = await client.post(url, content=body, headers=headers)
    except httpx.TransportError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}", away=True) from exc
    if not response.is_success:
        away = response.status_code in _AWAY_STATUSES
        raise DeliveryFailed(f"HTTP {response.status_code}: {response.text}", away=away)


@dataclass
class HttpSms:
    """A generic HTTP SMS provider: a JSON POST per message, the message id as its idempotency key."""

    client: httpx.AsyncClient
    url: str
    key: str

    async def send(self, message: Claimed) -> None:
        """POST {"id", "phone", "text"}; a retry carries the same Idempotency-Key, so the provider sends once."""
        body = json.dumps({"id": message.id, "phone": message.phone, "text": message.text}, ensure_ascii=False)
        headers = {
            "authorization": f"Bearer {self.key}",
            "idempotency-key": message.id,
            "content-type": "application/json; charset=utf-8",
        }
        await _post(self.client, self.url, body.encode("utf-8"), headers)


@dataclass
class PushGateway:
    """The frontends' push gateway: a JSON POST per message, signed as Standard Webhooks are."""

    client: httpx.AsyncClient
    url: str
    secret: str
    clock: Clock

    async def send(self, message: Claimed) -> None:
        """POST the notification for the account's devices, signed over its id, a timestamp and the body."""
        payload = {
            "id": message.id,
            "account_id": message.account_id,
            "application_id": message.application_id,
            "kind": message.kind,
            "title": message.title,
            "body": message.text,
            "created_at": message.created_at.isoformat(),
        }
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = sign(self.secret, message.id, body, now=self.clock.now(), source="intake")
        headers["content-type"] = "application/json; charset=utf-8"
        await _post(self.client, self.url, body, headers)


class Unconfigured:
    """A channel with nowhere to go (its setting removed since the message was written): refused, then parked."""

    async def send(self, message: Claimed) -> None:
        """Refuse the message."""
        raise DeliveryFailed(f"no {message.channel} outlet is configured", away=False)


def outlets(settings: IntakeSettings, client: httpx.AsyncClient, clock: Clock) -> dict[str, Outlet]:
    """The outlet of each channel, as the settings configure them."""
    sms: Outlet = HttpSms(client, settings.sms_url, settings.sms_key) if settings.sms_provider == "http" else LogSms()
    push: Outlet = (
        PushGateway(client, settings.push_url, settings.push_secret, clock) if settings.push_url else Unconfigured()
    )
    return {SMS: sms, PUSH: push}
