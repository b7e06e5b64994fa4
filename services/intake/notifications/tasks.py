"""What intake's lifespan runs for notifications: the message sender and the daily reminder check."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import httpx
from fastapi import FastAPI

from services.common.calendar import LiveCalendar
from services.common.clock import SHANGHAI, Clock
from services.common.db import Database
from services.common.state import ServiceState
from services.intake.notifications import reminders
from services.intake.notifications.channels import outlets
from services.intake.notifications.outbox import Channels
from services.intake.notifications.quiet import QuietHours
from services.intake.notifications.sender import Policy, Sender
from services.intake.settings import IntakeSettings

logger = logging.getLogger("zerovisit.intake.reminders")


def _intake(state: ServiceState) -> IntakeSettings:
    settings = state.settings
    if not isinstance(settings, IntakeSettings):
        raise TypeError("notifications are intake's")
    return settings


def build_sender(settings: IntakeSettings, database: Database, client: httpx.AsyncClient, clock: Clock) -> Sender:
    """The sender of SMS and push messages, as the settings describe it."""
    return Sender(
        database,
        outlets(settings, client, clock),
        clock=clock,
        quiet=QuietHours(settings.sms_quiet_from, settings.sms_quiet_until),
        policy=Policy.of(settings),
    )


async def send_messages(app: FastAPI) -> None:
    """Send the messages owed to applicants until the app stops."""
    state: ServiceState = app.state.service
    settings = _intake(state)
    # A client of its own: providers are outside the platform, with their own timeout, and never the test
    # network or the peers' addresses the app's client is for.
    async with httpx.AsyncClient(timeout=httpx.Timeout(settings.messages_timeout_seconds)) as client:
        sender = build_sender(settings, state.database, client, state.clock)
        await sender.run_forever(settings.messages_interval_seconds)


async def run_check(
    database: Database, calendar: LiveCalendar, settings: IntakeSettings, *, now: datetime, once_a_day: bool
) -> reminders.CheckResult:
    """Today's reminder check in one transaction of intake's database."""
    async with database.sessionmaker() as session, session.begin():
        return await reminders.check(
            session,
            calendar=await calendar.current(session),
            now=now,
            due_soon_days=settings.due_soon_working_days,
            channels=Channels.of(settings),
            once_a_day=once_a_day,
        )


def is_time_to_check(now: datetime, settings: IntakeSettings) -> bool:
    """Whether the day's check is due: at or after its local time of day."""
    return now.astimezone(SHANGHAI).time() >= settings.reminders_at


async def check_daily(app: FastAPI) -> None:
    """Once a day, at or after its hour, remind the cases due soon or overdue; every replica looks, one runs it."""
    state: ServiceState = app.state.service
    settings = _intake(state)
    while True:
        try:
            if is_time_to_check(state.clock.now(), settings):
                result = await run_check(
                    state.database, state.live_calendar, settings, now=state.clock.now(), once_a_day=True
                )
                if result.ran:
                    logger.info(
                        "reminders for %s: %d due soon, %d overdue", result.checked_on, result.due_soon, result.overdue
                    )
        except Exception:
            # A database that is away now is checked on a later round; the day's check is not lost.
            logger.warning("the daily reminder check failed; trying again later", exc_info=True)
        await asyncio.sleep(settings.reminders_interval_seconds)
