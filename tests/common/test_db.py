"""The database layer refuses text that no column can hold, whatever shape the statement's parameters take."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from services.common.db import TextWithNul
from services.intake.identity.models import Registration
from tests.support.services import Service


def _attempt(client: str) -> Registration:
    return Registration(client=client, registered_at=datetime(2026, 12, 1, tzinfo=UTC))


async def test_a_nul_in_any_row_of_a_batched_insert_returning_is_refused_and_nothing_is_written(
    intake: Service,
) -> None:
    database = intake.app.state.service.database
    async with database.sessionmaker() as session:
        # Rows whose ids the database makes are inserted many at once with RETURNING: their values reach the
        # check as one flat list.
        session.add_all([_attempt("fine"), _attempt("also fine"), _attempt("not\x00fine")])
        with pytest.raises(TextWithNul):
            await session.flush()
    async with database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Registration)) == 0


async def test_connections_the_server_dropped_are_replaced_before_a_request_uses_them(
    intake: Service, backend: str
) -> None:
    if backend != "postgres":
        pytest.skip("only a database server drops connections; SQLite has none")
    database = intake.app.state.service.database

    async def count() -> int | None:
        async with database.sessionmaker() as session:
            return await session.scalar(select(func.count()).select_from(Registration))

    assert await asyncio.gather(*(count() for _ in range(4))) == [0, 0, 0, 0]  # four connections pooled
    async with database.autocommit.connect() as admin:
        # As a server restart does: every pooled connection is closed from the server's side.
        dropped = await admin.scalar(
            text(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()) AS terminated"
            )
        )
    assert dropped and dropped >= 4

    assert [await count() for _ in range(6)] == [0] * 6
