"""The SMS provider and push gateway go away during a burst of messages, then come back: none lost, none twice."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from services.intake.notifications.models import OutgoingMessage
from services.intake.notifications.tasks import build_sender
from tests.flows.conftest import eventually
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.intake.messaging import through
from tests.intake.test_notifications import _paused
from tests.metrics.support import deliver
from tests.support.databases import FreshDatabases
from tests.support.fake_provider import FakeProvider
from tests.support.services import Network, Service, run_service

BURST = 20  # cases, each owed an SMS and a push message
OUTLETS = ("/sms", "/push")


class RunningClock:
    """Real time passing from a chosen instant: backoffs elapse, and the hour of day is the test's own."""

    def __init__(self, start: datetime) -> None:
        self._start, self._origin = start, time.monotonic()

    def now(self) -> datetime:
        """The start, moved on by the time since."""
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


async def _counts(intake: Service) -> dict[str, int]:
    query = select(OutgoingMessage.status, func.count()).group_by(OutgoingMessage.status)
    async with intake.app.state.service.database.sessionmaker() as session:
        return {status: count for status, count in (await session.execute(query)).all()}


async def _max_attempts(intake: Service) -> int:
    async with intake.app.state.service.database.sessionmaker() as session:
        return int(await session.scalar(select(func.max(OutgoingMessage.attempts))) or 0)


async def _message_ids(intake: Service) -> set[str]:
    async with intake.app.state.service.database.sessionmaker() as session:
        return set(await session.scalars(select(OutgoingMessage.id)))


async def test_every_message_reaches_the_provider_exactly_once_across_an_outage(
    databases: FreshDatabases, var_dir: Path, network: Network, provider: FakeProvider
) -> None:
    provider.stop()  # connections refused from the start
    clock = RunningClock(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))  # 10:00 in Beijing: no quiet hours
    settings = through(
        provider,
        messages_backoff_base_seconds=0.05,
        messages_backoff_max_seconds=0.4,
        # Low, so that an outage counted as refusals would park messages (and lose them): it must not.
        messages_max_attempts=3,
    )
    url = await databases.url("intake")
    async with (
        run_service(
            "intake", database_url=url, var_dir=var_dir, network=network, clock=clock, relay=True, **settings
        ) as intake,
        httpx.AsyncClient(timeout=5) as client,
    ):
        # A second replica's sender on the same database: the two share the work through their claims.
        state = intake.app.state.service
        replica = asyncio.create_task(build_sender(state.settings, state.database, client, clock).run_forever(0.05))
        try:
            ids = await _submit(intake, BURST)
            for application_id in ids:
                await deliver(intake.client, clock, "job.paused", _paused(application_id, clock), source="workflow")
            # Refused more often than max_attempts: an outage is waited out, never parked.
            await eventually(lambda: _at_least(_max_attempts(intake), 4))
            refused_attempts = await _max_attempts(intake)

            provider.failing_with = 503
            provider.start()
            await eventually(lambda: _at_least(_answered(provider, 503), 5))  # up, but unavailable

            provider.failing_with = None
            counts = await eventually(lambda: _all_sent(intake), within_seconds=30)
            written = await _message_ids(intake)
        finally:
            replica.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await replica

    accepted = [r for path in OUTLETS for r in provider.accepted(path)]
    keys = {r.headers.get("idempotency-key") or r.headers["webhook-id"] for r in accepted}
    lost = written - keys
    duplicated = len(accepted) - len(keys)
    unknown = keys - written
    unavailable = sum(provider.answered(path, 503) for path in OUTLETS)
    print(
        f"\nprovider outage: {len(written)} messages written, {len(accepted)} accepted, {unavailable} answered 503, "
        f"{len(lost)} lost, {duplicated} duplicated, {len(unknown)} unknown; rows {counts}; "
        f"while refused, a message was tried up to {refused_attempts} times (max_attempts 3, none parked)"
    )
    assert len(written) == 2 * BURST and counts == {"sent": 2 * BURST}
    assert unavailable >= 5
    assert (len(lost), duplicated, len(unknown)) == (0, 0, 0)
    assert provider.duplicates("/sms") == 0


async def _submit(intake: Service, count: int) -> list[str]:
    """`count` applications by one applicant, each for premises of its own."""
    applicant = await sign_in(intake.client, "zhao.min")
    documents = await upload_all(intake.client, applicant, ("business_license", "id_card"))
    ids = []
    for n in range(count):
        (deed,) = await upload_all(intake.client, applicant, ("property_certificate",))
        body = application_body([*documents, deed], address=f"{n + 1} Outage Lane, Beijing")
        created = await intake.client.post("/api/v1/applications", headers=applicant, json=body)
        assert created.status_code == 201, created.text
        ids.append(str(created.json()["id"]))
    return ids


async def _at_least(figure: Awaitable[int], least: int) -> bool | None:
    return True if await figure >= least else None


async def _answered(provider: FakeProvider, status: int) -> int:
    return sum(provider.answered(path, status) for path in OUTLETS)


async def _all_sent(intake: Service) -> dict[str, int] | None:
    counts = await _counts(intake)
    return counts if set(counts) == {"sent"} else None
