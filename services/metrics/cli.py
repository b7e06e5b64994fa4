"""Command line: `metrics rebuild`, `metrics check` and `report`, wired into zerovisit by add_commands."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.common.calendar import store as calendar_store
from services.common.clock import local_date
from services.common.db import make_engine
from services.common.errors import ProblemError
from services.metrics.access import Scope
from services.metrics.db import calendar_tables
from services.metrics.figures import build
from services.metrics.figures.schemas import CategoryRow, CompanyRow, Figures
from services.metrics.periods import parse_label
from services.metrics.rollups import rebuild as rollup_rebuild
from services.metrics.settings import MetricsSettings

T = TypeVar("T")
MAX_SHOWN_DIFFERENCES = 20


async def in_transaction(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run work in one committed transaction on a metrics database."""
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


# The columns of the half-year table, as `zerovisit report` and the demonstration (tools/demo) print it.
REPORT_HEADERS = (
    "category",
    "connected",
    "avg WD",
    "P90 WD",
    "steps",
    "documents",
    "cost (yuan)",
    "within limit",
    "zero visit",
    "online",
    "paused WD",
    "open overdue",
)


def _url(args: argparse.Namespace) -> str:
    return str(args.database_url or MetricsSettings().resolved_database_url())


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Replace the rollups with what the facts say."""
    rows = asyncio.run(in_transaction(_url(args), rollup_rebuild.rebuild))
    print(f"metrics: rebuilt {rows} rollup rows from the case facts")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Compare the rollups with the facts; exit 1 when they differ."""
    result = asyncio.run(in_transaction(_url(args), rollup_rebuild.check))
    if result.agree:
        print(f"metrics: rollups agree with the facts ({result.rollup_rows} rows, {result.histogram_rows} histogram)")
        return 0
    for line in result.differences[:MAX_SHOWN_DIFFERENCES]:
        print(line)
    print(f"metrics: {len(result.differences)} differences; run `zerovisit metrics rebuild` to repair")
    return 1


def _cells(row: Figures, label: str) -> list[str]:
    def show(value: Any, pattern: str = "{:.1f}") -> str:
        return "–" if value is None else pattern.format(value)

    return [
        label,
        str(row.connected_count),
        show(row.avg_working_days),
        show(row.p90_working_days, "{}"),
        show(row.avg_steps),
        show(row.avg_documents),
        show(row.avg_customer_cost, "{:,.2f}"),
        show(row.within_limit_rate, "{:.0%}"),
        show(row.zero_visit_rate, "{:.0%}"),
        show(row.online_rate, "{:.0%}"),
        show(row.avg_paused_working_days),
        str(row.open_overdue_count),
    ]


def cmd_report(args: argparse.Namespace) -> int:
    """Print the half-year table of a period in the terminal."""
    try:
        period = parse_label(args.period)
    except ProblemError as exc:
        print(f"error: {exc.detail}")
        return 2
    scope = Scope((args.region or "",), args.grid_company)

    async def work(session: AsyncSession) -> tuple[list[CategoryRow], list[CompanyRow]]:
        # The calendar metrics stored from workflow's; the package's own before the service first started.
        schedules = await calendar_store.load_schedules(session, calendar_tables)
        calendar = WorkingDayCalendar(schedules) if schedules else WorkingDayCalendar.default()
        overdue_before = casetime.overdue_cutoff(calendar, local_date(datetime.now(UTC)))
        rows = await build.summary_rows(session, period=period, scope=scope, overdue_before=overdue_before)
        return rows, await build.company_rows(session, period=period, scope=scope, overdue_before=overdue_before)

    rows, companies = asyncio.run(in_transaction(_url(args), work))
    title = f"Getting Electricity {period.label} ({period.start} to {period.end})"
    if args.region or args.grid_company:
        title += f", {' '.join(filter(None, [args.region, args.grid_company]))}"
    headers = REPORT_HEADERS
    console = Console()
    for caption, lines in (
        (title, [_cells(row, row.category) for row in rows]),
        ("Grid companies, worst first", [_cells(c, f"{c.rank}. {c.grid_company}") for c in companies]),
    ):
        table = Table(*headers, title=caption)
        for line in lines:
            table.add_row(*line)
        console.print(table)
    return 0


def add_commands(subparsers: Any) -> None:
    """Add `metrics rebuild|check` and `report` to the zerovisit command line."""
    metrics = subparsers.add_parser("metrics", help="metrics maintenance")
    actions = metrics.add_subparsers(dest="metrics_command", required=True)
    for name, handler, text in (
        ("rebuild", cmd_rebuild, "rebuild the rollups from the case facts"),
        ("check", cmd_check, "compare the rollups with the case facts"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--database-url", help="the metrics database (default: METRICS_DATABASE_URL)")
        action.set_defaults(handler=handler)
    report = subparsers.add_parser("report", help="the half-year table in the terminal")
    report.add_argument("--period", required=True, help="2026H1, 2026H2, 2026Q3 or 2026-09")
    report.add_argument("--region", help="a region-code prefix, e.g. 11 or 4403")
    report.add_argument("--grid-company")
    report.add_argument("--database-url", help="the metrics database (default: METRICS_DATABASE_URL)")
    report.set_defaults(handler=cmd_report)
