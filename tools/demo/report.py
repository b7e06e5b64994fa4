"""The closing report: metrics' half-year table as `zerovisit report` shows it, and a short summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from services.metrics.cli import REPORT_HEADERS
from tools.demo.http import Api, Login
from tools.demo.records import Tally
from tools.demo.waiting import Agreement


def _show(value: Any, pattern: str = "{:.1f}") -> str:
    return "–" if value is None else pattern.format(value)


def _cells(row: dict[str, Any], label: str) -> list[str]:
    return [
        label,
        str(row["connected_count"]),
        _show(row["avg_working_days"]),
        _show(row["p90_working_days"], "{}"),
        _show(row["avg_steps"]),
        _show(row["avg_documents"]),
        _show(row["avg_customer_cost"], "{:,.2f}"),
        _show(row["within_limit_rate"], "{:.0%}"),
        _show(row["zero_visit_rate"], "{:.0%}"),
        _show(row["online_rate"], "{:.0%}"),
        _show(row["avg_paused_working_days"]),
        str(row["open_overdue_count"]),
    ]


def read_report(api: Api, regulator: Login, period: str) -> dict[str, Any]:
    """The half-year report of a period, as a regulator reads it from metrics."""
    body: dict[str, Any] = api.metrics("GET", f"/api/v1/reports/{period}", regulator).json()
    return body


def read_violations(api: Api, regulator: Login, period: str) -> Counter[str]:
    """How many cases connected in the period broke each rule (a case may break several), and in all."""
    kinds: Counter[str] = Counter()
    offset = 0
    while True:
        page = api.metrics("GET", f"/api/v1/metrics/violations?period={period}&limit=1000&offset={offset}", regulator)
        body = page.json()
        for item in body["items"]:
            kinds.update(item["kinds"])
        kinds["cases"] += len(body["items"])
        offset += len(body["items"])
        if not body["items"] or offset >= body["total"]:
            return kinds


def print_report(console: Console, report: dict[str, Any]) -> None:
    """The category table and the company ranking, like `zerovisit report --period`."""
    title = f"Getting Electricity {report['period']} ({report['period_from']} to {report['period_to']})"
    for caption, lines in (
        (title, [_cells(row, row["category"]) for row in report["rows"]]),
        ("Grid companies, worst first", [_cells(c, f"{c['rank']}. {c['grid_company']}") for c in report["companies"]]),
    ):
        table = Table(*REPORT_HEADERS, title=caption)
        for line in lines:
            table.add_row(*line)
        console.print(table)


@dataclass(frozen=True)
class Summary:
    """The closing figures of a demonstration."""

    period: str
    tally: Tally
    agreement: Agreement
    connected_in_period: int
    average_working_days: float | None
    within_limit_rate: float | None
    violations: Counter[str]
    requests: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-able values."""
        return {
            "period": self.period,
            "tally": self.tally.as_dict(),
            "connected": {
                "demo": self.agreement.expected,
                "intake": self.agreement.intake,
                "workflow": self.agreement.workflow,
                "metrics": self.agreement.metrics,
                "agree": self.agreement.agree,
            },
            "connected_in_period": self.connected_in_period,
            "average_working_days": self.average_working_days,
            "within_limit_rate": self.within_limit_rate,
            "violations": dict(self.violations),
            "requests": self.requests,
            "seconds": round(self.seconds, 1),
        }


def summarise(report: dict[str, Any], **fields: Any) -> Summary:
    """Weigh the report's category rows into one average handling time and one on-time share."""
    rows = [row for row in report["rows"] if row["connected_count"]]
    count = sum(row["connected_count"] for row in rows)
    average = sum(row["avg_working_days"] * row["connected_count"] for row in rows) / count if count else None
    within = sum(row["within_limit_rate"] * row["connected_count"] for row in rows) / count if count else None
    return Summary(
        period=report["period"],
        connected_in_period=count,
        average_working_days=average,
        within_limit_rate=within,
        **fields,
    )


def print_summary(console: Console, summary: Summary) -> None:
    """A few lines: applications, connections (and whether the services agree), time taken, violations."""
    tally, agreement = summary.tally, summary.agreement
    console.print(
        f"[bold]Applications[/]: {tally.applications} ({tally.second_applications} by returning applicants, "
        f"{tally.incomplete_answers} answered 422 first), {tally.documents_uploaded} documents uploaded, "
        f"{tally.documents_reused} reused from file, {tally.withdrawn} withdrawn"
    )
    verdict = "[green]agree[/]" if agreement.agree else "[red]DISAGREE[/]"
    console.print(
        f"[bold]Connected[/]: {agreement.expected} — intake {agreement.intake}, workflow {agreement.workflow}, "
        f"metrics {agreement.metrics}: {verdict}"
    )
    if summary.average_working_days is None or summary.within_limit_rate is None:
        console.print(f"[bold]Average handling time[/] in {summary.period}: no case connected in the period")
    else:
        console.print(
            f"[bold]Average handling time[/] in {summary.period}: {summary.average_working_days:.1f} working days "
            f"over {summary.connected_in_period} cases, {summary.within_limit_rate:.0%} within the limit "
            f"({tally.late_steps} steps done late, {tally.pauses} pauses)"
        )
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.violations.items()) if kind != "cases")
    console.print(
        f"[bold]Violations found[/] in {summary.period}: {summary.violations['cases']} cases"
        + (f" ({kinds})" if kinds else "")
    )
    console.print(f"{summary.requests} requests in {summary.seconds:.0f} s")
