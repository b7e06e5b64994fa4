"""Keeping rollups current: a fact's old contribution is taken away and its new one added, in its transaction.

The same for an open case's place in the overdue counts (open_due) when its deadline, pause or status moves.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table, and_, delete, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Delete, Insert

from services.metrics.rollups.contribution import Contribution, OpenShare
from services.metrics.rollups.models import HISTOGRAM, KEY_COLUMNS, OPEN_DUE, OPEN_DUE_KEY_COLUMNS, ROLLUP, SUM_COLUMNS


async def apply_change(session: AsyncSession, *, old: Contribution | None, new: Contribution | None) -> None:
    """Move a fact's share of the rollups from its old figures to its new ones."""
    if old == new:
        return
    if old is not None:
        await _add(session, old, -1)
    if new is not None:
        await _add(session, new, 1)
    if old is not None:
        await _prune(session, old)


def _upsert(dialect: str, table: Table, columns: tuple[str, ...], keys: list[str]) -> Insert:
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise RuntimeError(f"rollups need PostgreSQL or SQLite, not {dialect}")
    # Concurrent changes to one bucket serialise on its row; each adds its own increment.
    increments = {name: table.c[name] + statement.excluded[name] for name in columns}
    upsert: Insert = statement.on_conflict_do_update(index_elements=keys, set_=increments)
    return upsert


def open_due_moves(old: list[OpenShare], new: list[OpenShare]) -> list[dict[str, Any]]:
    """The open_due increments that move these cases from their old places to their new ones, netted per row.

    A row a case leaves and another (or the same) enters is written once, or not at all when they cancel.
    """
    moves: dict[tuple[Any, ...], int] = {}
    for shares, sign in ((old, -1), (new, 1)):
        for share in shares:
            for key in share.bucket_keys():
                bucket = tuple(key[name] for name in OPEN_DUE_KEY_COLUMNS)
                moves[bucket] = moves.get(bucket, 0) + sign
    return [{**dict(zip(OPEN_DUE_KEY_COLUMNS, bucket, strict=True)), "count": n} for bucket, n in moves.items() if n]


@functools.cache
def open_due_statements(dialect: str) -> tuple[Insert, Delete]:
    """The upsert adding increments to open_due, and the delete of the rows left at zero (a partial index finds
    them), built once per dialect."""
    emptied = delete(OPEN_DUE).where(OPEN_DUE.c["count"] == 0)
    return _upsert(dialect, OPEN_DUE, ("count",), list(OPEN_DUE_KEY_COLUMNS)), emptied


@functools.cache
def _rollup_upserts(dialect: str) -> tuple[Insert, Insert]:
    """The upserts adding to rollup sums and to histogram counts, built once per dialect."""
    histogram = _upsert(dialect, HISTOGRAM, ("count",), [*KEY_COLUMNS, "working_days"])
    return _upsert(dialect, ROLLUP, SUM_COLUMNS, list(KEY_COLUMNS)), histogram


async def _add(session: AsyncSession, share: Contribution, sign: int) -> None:
    sums = share.sums(sign)
    buckets = share.bucket_keys()
    sums_upsert, histogram_upsert = _rollup_upserts(session.get_bind().dialect.name)
    await session.execute(sums_upsert, [{**key, **sums} for key in buckets])
    await session.execute(
        histogram_upsert, [{**key, "working_days": share.working_days, "count": sign} for key in buckets]
    )


def _bucket_match(table: Table, buckets: list[dict[str, Any]]) -> Any:
    return or_(*(and_(*(table.c[name] == value for name, value in key.items())) for key in buckets))


async def _prune(session: AsyncSession, share: Contribution) -> None:
    """Drop buckets that no case is counted in any more, so rollups equal a rebuild row for row."""
    buckets = share.bucket_keys()
    await session.execute(delete(ROLLUP).where(_bucket_match(ROLLUP, buckets), ROLLUP.c.connected_count == 0))
    await session.execute(
        delete(HISTOGRAM).where(
            _bucket_match(HISTOGRAM, buckets),
            HISTOGRAM.c.working_days == share.working_days,
            HISTOGRAM.c.count == 0,
        )
    )


async def add_many(session: AsyncSession, shares: list[Contribution]) -> None:
    """Add the shares of many new facts at once: one upsert per touched bucket, not per fact."""
    sums: dict[tuple[Any, ...], dict[str, Any]] = {}
    counts: dict[tuple[Any, ...], int] = {}
    for share in shares:
        increments = share.sums(1)
        for key in share.bucket_keys():
            bucket = tuple(key[name] for name in KEY_COLUMNS)
            held = sums.setdefault(bucket, {**key, **dict.fromkeys(SUM_COLUMNS, 0)})
            for name, value in increments.items():
                held[name] += value
            counts[(*bucket, share.working_days)] = counts.get((*bucket, share.working_days), 0) + 1
    if not sums:
        return
    sums_upsert, histogram_upsert = _rollup_upserts(session.get_bind().dialect.name)
    await session.execute(sums_upsert, list(sums.values()))
    histogram_rows = [
        {**dict(zip((*KEY_COLUMNS, "working_days"), key, strict=True)), "count": count} for key, count in counts.items()
    ]
    await session.execute(histogram_upsert, histogram_rows)
