"""Changing a fact: lock or create it, change it, recompute it, move its rollup contribution."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import Insert

from services.common.calendar import WorkingDayCalendar
from services.common.db import insert_unless_present
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


# Built once and sent with the case's id as a parameter: a statement built anew for every event costs more CPU
# in coercing its values and keying SQLAlchemy's compiled cache than the rest of the event's work.
_LOCKING = (
    select(CaseFact)
    .options(joinedload(CaseFact.open_case))
    .where(CaseFact.id == bindparam("case_id"))
    .with_for_update(of=CaseFact)
)


@functools.cache
def _first_fact(dialect: str) -> Insert:
    # Events of one case from two publishers may arrive at once: whichever inserts first wins (and holds the new
    # row), the other inserts nothing, waits on the row lock and merges into what the first wrote.
    return insert_unless_present(CaseFact, dialect, key=["id"]).returning(CaseFact)


async def _locked(session: AsyncSession, case_id: str, *, source: str, now: datetime) -> CaseFact:
    """The fact of a case (with its open_case row), made empty if this is the first word of it, locked for
    this transaction.

    Nothing is flushed first: what the batch's earlier events changed is written together at commit, and a
    fact met again in the batch comes from the session as they left it.
    """
    key = {"case_id": case_id}
    with session.no_autoflush:
        fact = (await session.scalars(_LOCKING, key)).one_or_none()
        if fact is not None:
            return fact  # most events of a case find its fact: one statement
        first = _first_fact(session.get_bind().dialect.name)
        made: CaseFact | None = (await session.scalars(first, [_blank(case_id, source, now)])).one_or_none()
        if made is not None:
            set_committed_value(made, "open_case", None)  # a case's first fact has no open_case row yet
            return made
        return (await session.scalars(_LOCKING, key, execution_options={"populate_existing": True})).one()


@asynccontextmanager
async def changing(
    session: AsyncSession, case_id: str, *, calendar: WorkingDayCalendar, now: datetime, source: str = LIVE
) -> AsyncIterator[CaseFact]:
    """Yield a case's fact to change; afterwards its derived fields, its rollup share and its open_case row follow."""
    fact = await _locked(session, case_id, source=source, now=now)
    old, listed = derive.contribution(fact), open_cases.listing(fact)
    yield fact
    fact.updated_at = now
    derive.refresh(fact, calendar=calendar)
    if open_cases.listing(fact) != listed:
        open_cases.sync(fact)  # its overdue count moves with it, at the flush
    await rollup_service.apply_change(session, old=old, new=derive.contribution(fact))
