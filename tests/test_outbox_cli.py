"""`zerovisit outbox list|requeue`: an operator sees what a publisher has not delivered and puts parked rows back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from services import cli
from services.common.db import make_engine
from services.workflow.db import event_tables
from tests.support.databases import FreshDatabases

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
OUTBOX = event_tables.outbox
# (subscriber, status, last error) of the rows seeded, in order.
SEEDED = [
    ("intake", "parked", "HTTP 422: the body is not an event envelope"),
    ("metrics", "pending", "HTTP 500: try again"),
    ("metrics", "delivered", None),
    ("metrics", "parked", "HTTP 403: workflow may not send application.evaluated events"),
]


@pytest.fixture
async def workflow_url(databases: FreshDatabases, monkeypatch: pytest.MonkeyPatch) -> str:
    url = await databases.url("workflow")
    monkeypatch.setenv("WORKFLOW_DATABASE_URL", url)
    rows = [
        {
            "event_id": f"00000000-0000-0000-0000-00000000000{n}",
            "subscriber": subscriber,
            "event_type": "job.created",
            "case_key": f"case-{n}",
            "body": "{}",
            "status": status,
            "attempts": 12 if status == "parked" else 3,
            "next_attempt_at": T0,
            "created_at": T0,
            "last_error": error,
            "delivered_at": T0 if status == "delivered" else None,
        }
        for n, (subscriber, status, error) in enumerate(SEEDED)
    ]
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(OUTBOX), rows)
    finally:
        await engine.dispose()
    return url


async def _zerovisit(*argv: str) -> int:
    # The command runs its own event loop, as it does from a shell.
    return await asyncio.to_thread(cli.main, list(argv))


async def _statuses(url: str) -> list[tuple[str, str, int]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            query = select(OUTBOX.c.subscriber, OUTBOX.c.status, OUTBOX.c.attempts).order_by(OUTBOX.c.seq)
            return [(subscriber, status, attempts) for subscriber, status, attempts in await conn.execute(query)]
    finally:
        await engine.dispose()


async def _seqs(url: str) -> list[int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(select(OUTBOX.c.seq).order_by(OUTBOX.c.seq))).scalars())
    finally:
        await engine.dispose()


async def test_list_shows_every_undelivered_row_with_its_error(
    workflow_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _zerovisit("outbox", "list", "--service", "workflow") == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[1:]] == ["parked", "pending", "parked"]
    assert "HTTP 403: workflow may not send application.evaluated" in lines[-1]


async def test_list_parked_shows_only_the_rows_given_up_on(
    workflow_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _zerovisit("outbox", "list", "--service", "workflow", "--parked") == 0

    lines = capsys.readouterr().out.splitlines()
    assert [(line.split()[1], line.split()[3]) for line in lines[1:]] == [("parked", "intake"), ("parked", "metrics")]


async def test_requeue_by_id_gives_one_parked_row_a_fresh_series_of_attempts(
    workflow_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = (await _seqs(workflow_url))[0]

    assert await _zerovisit("outbox", "requeue", "--service", "workflow", "--id", str(first)) == 0

    assert "requeued 1 parked outbox row" in capsys.readouterr().out
    assert await _statuses(workflow_url) == [
        ("intake", "pending", 0), ("metrics", "pending", 3), ("metrics", "delivered", 3), ("metrics", "parked", 12),
    ]  # fmt: skip


async def test_requeue_all_parked_of_one_subscriber_leaves_the_others(workflow_url: str) -> None:
    assert (
        await _zerovisit("outbox", "requeue", "--service", "workflow", "--all-parked", "--subscriber", "metrics") == 0
    )

    assert [status for _, status, _ in await _statuses(workflow_url)] == ["parked", "pending", "delivered", "pending"]


async def test_requeue_of_a_row_that_is_not_parked_changes_nothing_and_says_so(
    workflow_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    delivered = (await _seqs(workflow_url))[2]

    assert await _zerovisit("outbox", "requeue", "--service", "workflow", "--id", str(delivered)) == 1

    assert "named no parked row" in capsys.readouterr().err
    assert [status for _, status, _ in await _statuses(workflow_url)] == ["parked", "pending", "delivered", "parked"]


def test_metrics_has_no_outbox_to_list() -> None:
    with pytest.raises(SystemExit):
        cli.main(["outbox", "list", "--service", "metrics"])
