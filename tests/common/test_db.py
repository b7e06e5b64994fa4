"""The database layer refuses text that no column can hold, whatever shape the statement's parameters take."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

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
