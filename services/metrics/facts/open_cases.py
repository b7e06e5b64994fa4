"""Keeping open_case in step with the facts: one row per open case that has a deadline, and its overdue count."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session, object_session

from services.metrics.facts.models import OPEN_CASE_COLUMNS, CaseFact, OpenCase
from services.metrics.rollups import service as rollup_service
from services.metrics.rollups.contribution import OpenShare


def listing(fact: CaseFact) -> dict[str, Any] | None:
    """The fact's open_case row as it should stand; None when the case has none (closed, or no deadline)."""
    if not fact.is_open or fact.due_on is None:
        return None
    return {name: getattr(fact, name) for name in OPEN_CASE_COLUMNS}


def sync(fact: CaseFact) -> None:
    """Make the fact's open_case row stand as it should, or go once the case is closed or has no deadline.

    Written with the fact at the next flush: a batch of events writes its cases' rows together.
    """
    values = listing(fact)
    if values is None:
        if fact.open_case is not None and (session := object_session(fact)) is not None:
            # Deleted by name, not left as an orphan: the flush hook below sees it among the deleted rows.
            session.delete(fact.open_case)
        fact.open_case = None
    elif fact.open_case is None:
        fact.open_case = OpenCase(**values)
    else:
        for name, value in values.items():
            setattr(fact.open_case, name, value)


def share(listing: dict[str, Any] | None) -> OpenShare | None:
    """Where an open_case row counts among the open cases by due date; None where it is never overdue.

    A case paused on or before its deadline is not overdue while paused; one paused after it stays overdue.
    """
    if listing is None or None in (listing["report_category"], listing["grid_company"], listing["region"]):
        return None
    if listing["paused_on"] is not None and listing["due_on"] >= listing["paused_on"]:
        return None
    return OpenShare(listing["report_category"], listing["grid_company"], listing["region"], listing["due_on"])


def _committed(row: OpenCase) -> dict[str, Any]:
    """An open_case row as the database holds it, before this flush."""
    changed = inspect(row).committed_state
    return {name: changed.get(name, getattr(row, name)) for name in OPEN_CASE_COLUMNS}


def _move_open_dues(session: Session, flush_context: Any, instances: Any) -> None:
    """Move the overdue counts of every open_case row this flush inserts, changes or deletes.

    In the flush, so a batch of events moves its cases' counts in one upsert at commit, and a savepoint
    rolled back takes its moves with it.
    """
    old: list[OpenShare | None] = []
    new: list[OpenShare | None] = []
    for row in session.new:
        if isinstance(row, OpenCase):
            new.append(share(_values(row)))
    for row in session.dirty:
        if isinstance(row, OpenCase) and session.is_modified(row):
            old.append(share(_committed(row)))
            new.append(share(_values(row)))
    for row in session.deleted:
        if isinstance(row, OpenCase):
            old.append(share(_committed(row)))
    rows = rollup_service.open_due_moves([s for s in old if s], [s for s in new if s])
    if not rows:
        return
    upsert, emptied = rollup_service.open_due_statements(session.get_bind().dialect.name)
    connection = session.connection()
    connection.execute(upsert, rows)
    connection.execute(emptied)


def _values(row: OpenCase) -> dict[str, Any]:
    """An open_case row's values as they now stand."""
    return {name: getattr(row, name) for name in OPEN_CASE_COLUMNS}


def keep_open_due(sessionmaker: async_sessionmaker[Any]) -> None:
    """Have the sessions of this factory keep open_due in step with the open_case rows they write."""
    base: type[Session] = sessionmaker.kw.get("sync_session_class", Session)
    # A class of this factory's own (on top of any other's), so that only its sessions run the hook.
    session_class = type("OpenDueSession", (base,), {})
    event.listen(session_class, "before_flush", _move_open_dues)
    sessionmaker.configure(sync_session_class=session_class)
