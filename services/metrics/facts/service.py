"""Changing a fact: lock or create it, change it, recompute it, move its rollup contribution."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar import WorkingDayCalendar
from services.metrics.facts import derive, open_cases
from services.metrics.facts.models import LIVE, CaseFact
from services.metrics.rollups import service as rollup_service


def _blank(case_id: str, source: str, now: datetime) -> dict[str, Any]:
    return {
        "id": case_id,
        "source": source,
        "is_open": True,
        "counted": False,
        "paused_working_days": 0,
        "longest_pause_working_days": 0,
        "overdue_steps": 0,
        "customer_cost": Decimal(0),
        "flagged_fees": 0,
        "flagged_fee_yuan": Decimal(0),
        "visits": 0,
        "steps": [],
        "fees": [],
        "visit_log": [],
        "pauses": [],
        "updated_at": now,
    }


async def _locked(session: AsyncSession, case_id: str, *, source: str, now: datetime) -> CaseFact:
    """The fact of a case, made empty if this is the first word of it, locked for this transaction."""
    fact = await session.get(CaseFact, case_id, with_for_update=True, populate_existing=True)
    if fact is not None:
        return fact  # most events of a case find its fact: one statement
    dialect = session.get_bind().dialect.name
    # Events of one case from two publishers may arrive at once: whichever inserts first wins (and holds the
    # new row), the other inserts nothing, waits on the row lock below and merges into what the first wrote.
    if dialect == "postgresql":
        statement: Any = postgresql.insert(CaseFact).on_conflict_do_nothing(index_elements=["id"])
    elif dialect == "sqlite":
        statement = sqlite.insert(CaseFact).on_conflict_do_nothing(index_elements=["id"])
    else:
        statement = insert(CaseFact)
    made: CaseFact | None = (
        await session.scalars(statement.values(**_blank(case_id, source, now)).returning(CaseFact))
    ).one_or_none()
    if made is not None:
        return made
    fact = await session.get(CaseFact, case_id, with_for_update=True, populate_existing=True)
    assert fact is not None
    return fact


@asynccontextmanager
async def changing(
    session: AsyncSession, case_id: str, *, calendar: WorkingDayCalendar, now: datetime, source: str = LIVE
) -> AsyncIterator[CaseFact]:
    """Yield a case's fact to change; afterwards its derived fields and its rollup share follow."""
    fact = await _locked(session, case_id, source=source, now=now)
    old, listed = derive.contribution(fact), open_cases.listing(fact)
    yield fact
    fact.updated_at = now
    derive.refresh(fact, calendar=calendar)
    await session.flush()
    if open_cases.listing(fact) != listed:
        await open_cases.sync(session, fact)
    await rollup_service.apply_change(session, old=old, new=derive.contribution(fact))
