"""Rollups, open_case and open_due recomputed from the facts: a bulk rebuild, and a check comparing them row for row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import FromClause, Select, Table, case, delete, func, insert, literal_column, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.facts.models import FACT, OPEN_CASE, OPEN_CASE_COLUMNS
from services.metrics.rollups.models import (
    ALL_COMPANIES,
    HISTOGRAM,
    KEY_COLUMNS,
    LEVELS,
    OPEN_DUE,
    OPEN_DUE_KEY_COLUMNS,
    ROLLUP,
    SUM_COLUMNS,
)

# (region level, whether its buckets are per company): every region level per company, then the nation whole.
SHAPES: tuple[tuple[int, bool], ...] = (*((level, True) for level in LEVELS), (0, False))
FINEST = LEVELS[-1]


def _keys(table: FromClause, level: int, per_company: bool, middle: Any) -> tuple[list[Any], list[Any]]:
    """A bucket's key columns in table order (level, region, the middle column, category, company), and
    the ones to group by.

    Constants stay out of GROUP BY: SQLite reads a bare number there as a column position, PostgreSQL refuses
    a string. Literal SQL, not bound parameters: PostgreSQL only sees the same grouping expression twice that way.
    """
    level_sql: Any = literal_column(str(level))
    region = func.substr(table.c.region, literal_column("1"), level_sql).label("region")
    company = table.c.grid_company if per_company else literal_column(f"'{ALL_COMPANIES}'").label("grid_company")
    keys = [level_sql.label("level"), region, middle, table.c.report_category, company]
    grouped = [region, middle, table.c.report_category, *([company] if per_company else [])]
    return keys, grouped


def fact_sums() -> list[Any]:
    """The rollup sum columns as aggregates over case facts."""
    one: Any = literal_column("1")
    zero: Any = literal_column("0")
    return [
        func.count().label("connected_count"),
        func.sum(FACT.c.working_days).label("sum_working_days"),
        func.sum(func.coalesce(FACT.c.step_count, zero)).label("sum_steps"),
        func.sum(func.coalesce(FACT.c.documents_supplied, zero)).label("sum_documents"),
        func.sum(FACT.c.customer_cost).label("sum_customer_cost"),
        func.sum(case((FACT.c.within_limit.is_(True), one), else_=zero)).label("within_limit_count"),
        func.sum(case((FACT.c.visits == zero, one), else_=zero)).label("zero_visit_count"),
        func.sum(case((FACT.c.channel != literal_column("'hall'"), one), else_=zero)).label("online_count"),
        func.sum(FACT.c.paused_working_days).label("sum_paused_working_days"),
        func.count(FACT.c.evaluation_score).label("evaluated_count"),
        func.sum(func.coalesce(FACT.c.evaluation_score, zero)).label("sum_evaluation"),
        func.count(FACT.c.contract_signed_at).label("signed_online_count"),
    ]


def sums_select(level: int, per_company: bool) -> Select[Any]:
    """Every bucket of one shape (region level, per company or not) with its counts and sums, from the facts."""
    keys, grouped = _keys(FACT, level, per_company, FACT.c.connected_month.label("month"))
    return select(*keys, *fact_sums()).where(FACT.c.counted.is_(True)).group_by(*grouped)


def histogram_select(level: int, per_company: bool) -> Select[Any]:
    """Every bucket of one shape with its working-day histogram, straight from the facts."""
    keys, grouped = _keys(FACT, level, per_company, FACT.c.connected_month.label("month"))
    statement = select(*keys, FACT.c.working_days, func.count().label("count")).where(FACT.c.counted.is_(True))
    return statement.group_by(*grouped, FACT.c.working_days)


def open_cases_select() -> Select[Any]:
    """The open_case rows the facts call for."""
    columns = [FACT.c[name] for name in OPEN_CASE_COLUMNS]
    return select(*columns).where(FACT.c.is_open.is_(True), FACT.c.due_on.is_not(None))


def open_due_select(level: int, per_company: bool, listed: FromClause | None = None) -> Select[Any]:
    """The open_due rows of one shape, counted from the open cases (services.metrics.facts.open_cases.share):
    those the facts call for, or the rows of a table such as open_case."""
    listed = open_cases_select().subquery("listed") if listed is None else listed
    keys, grouped = _keys(listed, level, per_company, listed.c.due_on)
    counted = (
        listed.c.report_category.is_not(None),
        listed.c.grid_company.is_not(None),
        listed.c.region.is_not(None),
        or_(listed.c.paused_on.is_(None), listed.c.due_on < listed.c.paused_on),
    )
    return select(*keys, func.count().label("count")).where(*counted).group_by(*grouped)


def _added_up(
    table: Table, level: int, per_company: bool, middle: str, sums: tuple[str, ...], also_by: tuple[str, ...] = ()
) -> Select[Any]:
    """The buckets of a coarser shape, added up from the finest level's rows of the same table.

    A county's bucket holds each of its cases once, so the sums of a region's counties are the region's sums;
    reading the finest rows is far cheaper than reading every fact again.
    """
    keys, grouped = _keys(table, level, per_company, table.c[middle])
    inner = [table.c[name] for name in also_by]
    totals = [func.sum(table.c[name]).label(name) for name in sums]
    return select(*keys, *inner, *totals).where(table.c.level == FINEST).group_by(*grouped, *inner)


async def _lock(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Event handlers wait while the rollups are replaced; one whose fact change is not yet committed
        # then applies its change on top of the rebuilt rows, which do not include it.
        await session.execute(text("LOCK TABLE rollup, rollup_histogram, open_case, open_due IN EXCLUSIVE MODE"))


async def rebuild(session: AsyncSession) -> int:
    """Replace every rollup, open_case and open_due row with what the facts say; returns the number of rollup rows."""
    await _lock(session)
    for table in (HISTOGRAM, ROLLUP, OPEN_DUE, OPEN_CASE):
        await session.execute(delete(table))
    await session.execute(insert(OPEN_CASE).from_select(list(OPEN_CASE_COLUMNS), open_cases_select()))
    rollup_columns, histogram_columns = [*KEY_COLUMNS, *SUM_COLUMNS], [*KEY_COLUMNS, "working_days", "count"]
    open_due_columns = [*OPEN_DUE_KEY_COLUMNS, "count"]
    # The finest buckets from the facts (and the open cases just written), every other shape from those.
    await session.execute(insert(ROLLUP).from_select(rollup_columns, sums_select(FINEST, True)))
    await session.execute(insert(HISTOGRAM).from_select(histogram_columns, histogram_select(FINEST, True)))
    await session.execute(insert(OPEN_DUE).from_select(open_due_columns, open_due_select(FINEST, True, OPEN_CASE)))
    for level, per_company in SHAPES:
        if (level, per_company) == (FINEST, True):
            continue
        sums = _added_up(ROLLUP, level, per_company, "month", SUM_COLUMNS)
        await session.execute(insert(ROLLUP).from_select(rollup_columns, sums))
        histogram = _added_up(HISTOGRAM, level, per_company, "month", ("count",), also_by=("working_days",))
        await session.execute(insert(HISTOGRAM).from_select(histogram_columns, histogram))
        open_due = _added_up(OPEN_DUE, level, per_company, "due_on", ("count",))
        await session.execute(insert(OPEN_DUE).from_select(open_due_columns, open_due))
    return int((await session.execute(select(func.count()).select_from(ROLLUP))).scalar_one())


@dataclass
class CheckResult:
    """Where the rollups and the facts disagree."""

    rollup_rows: int = 0
    histogram_rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        """Whether the rollups equal a rebuild from the facts."""
        return not self.differences


def _compare(
    kind: str,
    expected: dict[tuple[Any, ...], tuple[Any, ...]],
    actual: dict[tuple[Any, ...], tuple[Any, ...]],
    result: CheckResult,
) -> None:
    for key in sorted(expected.keys() | actual.keys(), key=repr):
        want, have = expected.get(key), actual.get(key)
        if want != have:
            result.differences.append(f"{kind} {key}: facts say {want}, rollups hold {have}")


async def check(session: AsyncSession) -> CheckResult:
    """Compare the rollups with what a rebuild from the facts would write."""
    result = CheckResult()
    n = len(KEY_COLUMNS)
    expected: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    expected_histogram: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    expected_open_due: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for level, per_company in SHAPES:
        for row in await session.execute(sums_select(level, per_company)):
            expected[tuple(row[:n])] = tuple(row[n:])
        for row in await session.execute(histogram_select(level, per_company)):
            expected_histogram[tuple(row[: n + 1])] = (row[n + 1],)
    rollup_columns = [ROLLUP.c[name] for name in (*KEY_COLUMNS, *SUM_COLUMNS)]
    actual = {tuple(row[:n]): tuple(row[n:]) for row in await session.execute(select(*rollup_columns))}
    histogram_columns = [HISTOGRAM.c[name] for name in (*KEY_COLUMNS, "working_days", "count")]
    actual_histogram = {tuple(row[: n + 1]): (row[n + 1],) for row in await session.execute(select(*histogram_columns))}
    result.rollup_rows, result.histogram_rows = len(actual), len(actual_histogram)
    _compare("rollup", expected, actual, result)
    _compare("histogram", expected_histogram, actual_histogram, result)
    expected_open = {row[0]: tuple(row[1:]) for row in await session.execute(open_cases_select())}
    actual_open = {row[0]: tuple(row[1:]) for row in await session.execute(select(OPEN_CASE))}
    _compare("open_case", expected_open, actual_open, result)
    for level, per_company in SHAPES:
        for row in await session.execute(open_due_select(level, per_company)):
            expected_open_due[tuple(row[:n])] = (row[n],)
    open_due_columns = [OPEN_DUE.c[name] for name in (*OPEN_DUE_KEY_COLUMNS, "count")]
    actual_open_due = {tuple(row[:n]): (row[n],) for row in await session.execute(select(*open_due_columns))}
    _compare("open_due", expected_open_due, actual_open_due, result)
    return result
