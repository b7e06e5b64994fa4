"""The sender: works through the messages owed, each sent once, retried with backoff, parked when refused."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, fields
from datetime import timedelta
from uuid import uuid4

from services.common.clock import Clock
from services.common.db import Database
from services.common.events.tables import PARKED, PENDING
from services.common.leasing import Lease, Outcome
from services.intake.notifications import outbox
from services.intake.notifications.channels import DeliveryFailed, Outlet
from services.intake.notifications.outbox import SENT, SMS, Claimed
from services.intake.notifications.quiet import QuietHours
from services.intake.settings import IntakeSettings

logger = logging.getLogger("zerovisit.intake.messages")


@dataclass(frozen=True)
class Policy:
    """How many messages a round takes, how long it holds them, how it retries."""

    batch_size: int
    lease_seconds: float
    max_attempts: int
    backoff_base_seconds: float
    backoff_max_seconds: float

    @classmethod
    def of(cls, settings: IntakeSettings) -> Policy:
        """The policy intake's settings describe: each field is the setting of its name prefixed `messages_`."""
        return cls(**{field.name: getattr(settings, f"messages_{field.name}") for field in fields(cls)})


@dataclass(frozen=True)
class Sender:
    """Sends due messages through their channel's outlet; several senders may share one PostgreSQL database."""

    database: Database
    outlets: Mapping[str, Outlet]
    _: KW_ONLY
    clock: Clock
    quiet: QuietHours
    policy: Policy

    async def run_once(self) -> int:
        """Claim one batch, send it, record the outcomes; returns how many messages were sent."""
        now, token = self.clock.now(), str(uuid4())
        until = now + timedelta(seconds=self.policy.lease_seconds)
        skip_locked = self.database.engine.dialect.name != "sqlite"
        async with self.database.engine.begin() as conn:
            claimed = await outbox.claim(conn, Lease(now, until, token, self.policy.batch_size, skip_locked))
        if not claimed:
            return 0
        outcomes = await self._send_all(claimed)
        async with self.database.engine.begin() as conn:
            await outbox.record(conn, outcomes, token)
        return sum(outcome.status == SENT for outcome in outcomes)

    async def _send_all(self, claimed: list[Claimed]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        away: dict[str, Outcome] = {}
        started = time.monotonic()
        for message in claimed:
            now = self.clock.now()
            if message.channel == SMS and self.quiet.is_quiet(now):
                # Claimed just before the quiet hours began: held for the morning, no attempt spent.
                outcomes.append(Outcome(message.id, PENDING, message.attempts, self.quiet.release_at(now)))
            elif message.channel in away or time.monotonic() - started > self.policy.lease_seconds / 2:
                # Not tried: its outlet was found away this round, or the round ran long and its lease would
                # run out before the outcome is recorded. It waits as long as the one that found the door shut.
                later = away[message.channel].next_attempt_at if message.channel in away else now
                outcomes.append(Outcome(message.id, PENDING, message.attempts, later, "not tried this round"))
            else:
                outcome, found_away = await self._send(message)
                outcomes.append(outcome)
                if found_away:
                    away[message.channel] = outcome
        return outcomes

    async def _send(self, message: Claimed) -> tuple[Outcome, bool]:
        """Send one message: its outcome, and whether its outlet was found away."""
        try:
            await self.outlets[message.channel].send(message)
        except DeliveryFailed as exc:
            return self._failed(message, str(exc), away=exc.away), exc.away
        except Exception as exc:
            return self._failed(message, f"{type(exc).__name__}: {exc}", away=False), False
        now = self.clock.now()
        return Outcome(message.id, SENT, message.attempts + 1, now, delivered_at=now), False

    def _failed(self, message: Claimed, error: str, *, away: bool) -> Outcome:
        """Back off, or park after the last attempt that the far end refused (an outage is waited out)."""
        attempts, now = message.attempts + 1, self.clock.now()
        what = f"{message.channel} {message.id} ({message.kind}, case {message.application_id})"
        if attempts >= self.policy.max_attempts and not away:
            logger.error("message %s parked after %d attempts: %s", what, attempts, error)
            return Outcome(message.id, PARKED, attempts, now, error)
        delay = min(self.policy.backoff_max_seconds, self.policy.backoff_base_seconds * 2 ** min(attempts - 1, 32))
        delay *= 1 - 0.1 * random.random()  # noqa: S311 - jitter, so a burst does not come back all at once
        later = now + timedelta(seconds=delay)
        if message.channel == SMS:
            later = self.quiet.release_at(later)
        logger.warning("message %s failed, attempt %d: %s", what, attempts, error)
        return Outcome(message.id, PENDING, attempts, later, error)

    async def run_forever(self, interval_seconds: float) -> None:
        """Run rounds until cancelled; a failing round (the database away, say) is logged and retried."""
        failures = 0
        while True:
            try:
                sent = await self.run_once()
                failures = 0
            except Exception:
                failures += 1
                logger.exception("message sender: round failed (%d in a row)", failures)
                sent = 0
            if sent:
                continue  # a sent message may have unblocked the next one of its case
            await asyncio.sleep(min(interval_seconds * 2 ** min(failures, 16), max(interval_seconds, 30)))
