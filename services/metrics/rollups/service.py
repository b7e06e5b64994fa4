"""Keeping rollups current: a fact's old contribution is taken away and its new one added, in its transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, delete, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from services.metrics.rollups.contribution import Contribution
from services.metrics.rollups.models import KEY_COLUMNS, SUM_COLUMNS, Rollup, RollupHistogram

ROLLUP: Table = Rollup.__table__  # type: ignore[assignment]
HISTOGRAM: Table = RollupHistogram.__table__  # type: ignore[assignment]


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


def _upsert(session: AsyncSession, table: Table, columns: tuple[str, ...], keys: list[str]) -> Insert:
    dialect = session.get_bind().dialect.name
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


async def _add(session: AsyncSession, share: Contribution, sign: int) -> None:
    sums = share.sums(sign)
    buckets = share.bucket_keys()
    await session.execute(
        _upsert(session, ROLLUP, SUM_COLUMNS, list(KEY_COLUMNS)), [{**key, **sums} for key in buckets]
    )
    await session.execute(
        _upsert(session, HISTOGRAM, ("count",), [*KEY_COLUMNS, "working_days"]),
        [{**key, "working_days": share.working_days, "count": sign} for key in buckets],
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
    await session.execute(_upsert(session, ROLLUP, SUM_COLUMNS, list(KEY_COLUMNS)), list(sums.values()))
    histogram_rows = [
        {**dict(zip((*KEY_COLUMNS, "working_days"), key, strict=True)), "count": count} for key, count in counts.items()
    ]
    await session.execute(_upsert(session, HISTOGRAM, ("count",), [*KEY_COLUMNS, "working_days"]), histogram_rows)
