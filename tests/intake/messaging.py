"""What the message tests share: a fake provider's settings, one sender round, the rows owed."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from services.intake.notifications.models import OutgoingMessage
from services.intake.notifications.tasks import build_sender
from tests.support.fake_provider import FakeProvider
from tests.support.services import Service

SMS_KEY = "provider-api-key-for-tests"
PUSH_SECRET = "push-gateway-secret-for-tests-0123456789"


def through(provider: FakeProvider, **more: Any) -> dict[str, Any]:
    """Intake settings that send SMS and push through the fake provider."""
    return {
        "sms_provider": "http",
        "sms_url": provider.url("/sms"),
        "sms_key": SMS_KEY,
        "push_url": provider.url("/push"),
        "push_secret": PUSH_SECRET,
        **more,
    }


async def send_round(intake: Service) -> int:
    """One round of intake's sender, as its lifespan loop runs it; how many messages it sent."""
    state = intake.app.state.service
    async with httpx.AsyncClient(timeout=5) as client:
        return await build_sender(state.settings, state.database, client, state.clock).run_once()


async def owed(intake: Service, channel: str | None = None) -> list[OutgoingMessage]:
    """Every message row, oldest notification first (only one channel's if named)."""
    query = select(OutgoingMessage).order_by(OutgoingMessage.notification_id, OutgoingMessage.channel)
    if channel:
        query = query.where(OutgoingMessage.channel == channel)
    async with intake.app.state.service.database.sessionmaker() as session:
        return list(await session.scalars(query))
