"""Figures from the rollups: tallies per report category (and company), plus open overdue counts."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.access import Scope
from services.metrics.complaints.models import COMPLAINT
from services.metrics.facts.models import FACT, OPEN_CASE
from services.metrics.periods import Period
from services.metrics.rollups.models import HISTOGRAM, OPEN_DUE, ROLLUP, SUM_COLUMNS
from services.metrics.rollups.rebuild import fact_sums
from services.metrics.rollups.tally import Tally

Key = tuple[str, str | None]
MonthKey = tuple[int, str]
K = TypeVar("K")


def _key(row: Any, by_company: bool) -> Key:
    return (row.report_category, row.grid_company if by_company else None)


def _month_key(row: Any) -> MonthKey:
    return (int(row.month), row.report_category)


async def tallies(session: AsyncSession, *, period: Period, scope: Scope, by_company: bool) -> dict[Key, Tally]:
    """Tallies of the counted cases connected in the period, per report category (and grid company)."""
    result: dict[Key, Tally] = defaultdict(Tally)
    months = period.whole_months()
    if months is not None:
        by = ["report_category", *(["grid_company"] if by_company else [])]
        key = functools.partial(_key, by_company=by_company)
        await _add_rollups(session, result, months=months, scope=scope, by=by, by_company=by_company, key=key)
    for start, end in period.cut_days():
        await _add_cut_days(session, result, start=start, end=end, scope=scope, by_company=by_company)
    return result


async def monthly_tallies(session: AsyncSession, *, months: tuple[int, int], scope: Scope) -> dict[MonthKey, Tally]:
    """Tallies per yyyymm and report category over a range of whole months, from the rollups alone."""
    result: dict[MonthKey, Tally] = defaultdict(Tally)
    by = ["month", "report_category"]
    await _add_rollups(session, result, months=months, scope=scope, by=by, by_company=False, key=_month_key)
    return result


async def _add_rollups(
    session: AsyncSession,
    result: dict[K, Tally],
    *,
    months: tuple[int, int],
    scope: Scope,
    by: list[str],
    by_company: bool,
    key: Callable[[Any], K],
) -> None:
    """Sums and histograms of the rollup buckets of a range of months, grouped by the named key columns."""
    group = [ROLLUP.c[name] for name in by]
    where = (ROLLUP.c.month.between(*months), scope.rollup_filter(ROLLUP, by_company=by_company))
    sums = [func.sum(ROLLUP.c[name]).label(name) for name in SUM_COLUMNS]
    for row in await session.execute(select(*group, *sums).where(*where).group_by(*group)):
        result[key(row)].add_sums(row)
    hgroup = [*(HISTOGRAM.c[name] for name in by), HISTOGRAM.c.working_days]
    hwhere = (HISTOGRAM.c.month.between(*months), scope.rollup_filter(HISTOGRAM, by_company=by_company))
    statement = select(*hgroup, func.sum(HISTOGRAM.c["count"]).label("n")).where(*hwhere).group_by(*hgroup)
    for row in await session.execute(statement):
        result[key(row)].histogram[int(row.working_days)] += int(row.n)


async def _add_cut_days(
    session: AsyncSession, result: dict[Key, Tally], *, start: date, end: date, scope: Scope, by_company: bool
) -> None:
    """Days of a month the period only partly covers, aggregated from the facts by connection date."""
    where = (FACT.c.counted.is_(True), FACT.c.connected_on.between(start, end), scope.fact_filter(FACT))
    await _add_facts(session, result, where=where, by_company=by_company)


async def temporary_tallies(
    session: AsyncSession, *, period: Period, scope: Scope, by_company: bool
) -> dict[Key, Tally]:
    """Tallies of the temporary (construction) connections of the period, from the facts (a partial index)."""
    result: dict[Key, Tally] = defaultdict(Tally)
    where = (
        FACT.c.business_type == "temporary",
        FACT.c.connected_on.between(period.start, period.end),
        FACT.c.counted.is_(True),
        scope.fact_filter(FACT),
    )
    await _add_facts(session, result, where=where, by_company=by_company)
    return result


async def _add_facts(session: AsyncSession, result: dict[Key, Tally], *, where: Any, by_company: bool) -> None:
    group = [FACT.c.report_category, *([FACT.c.grid_company] if by_company else [])]
    for row in await session.execute(select(*group, *fact_sums()).where(*where).group_by(*group)):
        result[_key(row, by_company)].add_sums(row)
    hgroup = [*group, FACT.c.working_days]
    for row in await session.execute(select(*hgroup, func.count().label("n")).where(*where).group_by(*hgroup)):
        result[_key(row, by_company)].histogram[int(row.working_days)] += int(row.n)


def overdue_filter(overdue_before: date) -> Any:
    """Open cases due before the cutoff; a paused case only if the deadline had passed when it paused."""
    return (
        OPEN_CASE.c.due_on < overdue_before,
        or_(OPEN_CASE.c.paused_on.is_(None), OPEN_CASE.c.due_on < OPEN_CASE.c.paused_on),
    )


async def open_overdue(
    session: AsyncSession, *, scope: Scope, overdue_before: date, by_company: bool
) -> dict[Key, int]:
    """Open overdue cases now, per report category (and grid company), from the open cases counted by due date."""
    group = [OPEN_DUE.c.report_category, *([OPEN_DUE.c.grid_company] if by_company else [])]
    statement = (
        select(*group, func.sum(OPEN_DUE.c["count"]).label("n"))
        .where(OPEN_DUE.c.due_on < overdue_before, scope.rollup_filter(OPEN_DUE, by_company=by_company))
        .group_by(*group)
    )
    return {_key(row, by_company): int(row.n) for row in await session.execute(statement) if row.n}


async def complaint_counts(session: AsyncSession, *, period: Period, scope: Scope) -> dict[str, int]:
    """Complaints received in the period, per grid company, in scope."""
    where = (COMPLAINT.c.received_on.between(period.start, period.end), scope.fact_filter(COMPLAINT))
    statement = (
        select(COMPLAINT.c.grid_company, func.count().label("n")).where(*where).group_by(COMPLAINT.c.grid_company)
    )
    return {row.grid_company: int(row.n) for row in await session.execute(statement)}
