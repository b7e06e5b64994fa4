"""`zerovisit notifications check|messages|requeue`: the day's reminders by hand, and messages not sent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from services import cli
from services.common.clock import FixedClock, local_date
from services.common.db import make_engine
from services.intake.notifications.models import ReminderCheck
from tests.intake.messaging import owed, send_round, through
from tests.intake.test_notifications import _apply, _paused
from tests.metrics.support import deliver
from tests.support.databases import FreshDatabases
from tests.support.fake_provider import FakeProvider
from tests.support.services import Network, run_service


async def _zerovisit(*argv: str) -> int:
    # The command runs its own event loop, as it does from a shell.
    return await asyncio.to_thread(cli.main, list(argv))


@pytest.fixture
async def intake_url(databases: FreshDatabases, monkeypatch: pytest.MonkeyPatch) -> str:
    url = await databases.url("intake")
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    return url


async def test_the_check_by_hand_records_the_day_once_however_often_it_runs(
    intake_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _zerovisit("notifications", "check") == 0
    assert await _zerovisit("notifications", "check") == 0
    today = local_date(datetime.now(UTC))
    assert capsys.readouterr().out.splitlines() == [f"reminders for {today}: 0 due soon, 0 overdue"] * 2
    engine = make_engine(intake_url)
    try:
        async with engine.connect() as conn:
            days = (await conn.execute(select(ReminderCheck.checked_on))).scalars().all()
    finally:
        await engine.dispose()
    assert days == [today]


async def test_an_operator_sees_a_parked_message_and_puts_it_back_in_line(
    intake_url: str,
    var_dir: Path,
    network: Network,
    clock: FixedClock,
    provider: FakeProvider,
    capsys: pytest.CaptureFixture[str],
) -> None:
    provider.failing_with = 400
    settings = through(provider, messages_max_attempts=1, push_url="", push_secret="")
    async with run_service(
        "intake", database_url=intake_url, var_dir=var_dir, network=network, clock=clock, **settings
    ) as intake:
        _, case = await _apply(intake)
        await deliver(intake.client, clock, "job.paused", _paused(case["id"], clock), source="workflow")
        await send_round(intake)
        (parked,) = await owed(intake)
        assert await _zerovisit("notifications", "messages", "--parked") == 0
        listing = capsys.readouterr().out
        assert await _zerovisit("notifications", "requeue", "--id", parked.id) == 0
        assert "requeued 1 parked message" in capsys.readouterr().out
        (requeued,) = await owed(intake)
    assert parked.status == "parked" and parked.id in listing and "HTTP 400" in listing
    assert case["id"] in listing and "13800138000" not in listing
    assert requeued.status == "pending" and requeued.attempts == 0


async def test_requeue_of_an_id_that_is_not_parked_says_so(intake_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _zerovisit("notifications", "requeue", "--id", "no-such-message") == 1
    assert "no parked message" in capsys.readouterr().err
