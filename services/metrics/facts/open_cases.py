"""Keeping open_case in step with the facts: one row per open case that has a deadline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.facts.models import OPEN_CASE_COLUMNS, CaseFact, OpenCase

OPEN_CASE: Table = OpenCase.__table__  # type: ignore[assignment]


def listing(fact: CaseFact) -> dict[str, Any] | None:
    """The fact's open_case row as it should stand; None when the case has none (closed, or no deadline)."""
    if not fact.is_open or fact.due_on is None:
        return None
    return {name: getattr(fact, name) for name in OPEN_CASE_COLUMNS}


async def sync(session: AsyncSession, fact: CaseFact) -> None:
    """Write the fact's open_case row, or remove it once the case is closed or has no deadline."""
    values = listing(fact)
    if values is None:
        await session.execute(delete(OPEN_CASE).where(OPEN_CASE.c.id == fact.id))
        return
    dialect = session.get_bind().dialect.name
    statement: Any = postgresql.insert(OPEN_CASE) if dialect == "postgresql" else sqlite.insert(OPEN_CASE)
    changes = {name: statement.excluded[name] for name in OPEN_CASE_COLUMNS if name != "id"}
    await session.execute(statement.values(**values).on_conflict_do_update(index_elements=["id"], set_=changes))
