"""Summary rows and the company ranking, built from tallies and open overdue counts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.rules import REPORT_CATEGORIES
from services.metrics.access import Scope
from services.metrics.disputes import service as dispute_service
from services.metrics.figures import service as figures_service
from services.metrics.figures.schemas import CategoryRow, CompanyRow, Report, TemporaryRow, TrendMonth
from services.metrics.periods import Period
from services.metrics.rollups.tally import Tally


def _rows(tallies: dict[str, Tally], overdue: dict[str, int]) -> list[CategoryRow]:
    return [
        CategoryRow(
            category=category,
            open_overdue_count=overdue.get(category, 0),
            **tallies.get(category, Tally()).figures(),
        )
        for category in REPORT_CATEGORIES
    ]


async def summary_rows(
    session: AsyncSession, *, period: Period, scope: Scope, overdue_before: date
) -> list[CategoryRow]:
    """One row per report category, zero rows included."""
    tallies = await figures_service.tallies(session, period=period, scope=scope, by_company=False)
    overdue = await figures_service.open_overdue(session, scope=scope, overdue_before=overdue_before, by_company=False)
    return _rows({c: t for (c, _), t in tallies.items()}, {c: n for (c, _), n in overdue.items()})


async def trend_months(session: AsyncSession, *, months: tuple[int, int], scope: Scope) -> list[TrendMonth]:
    """One entry per month from first to last yyyymm, each with one row per report category."""
    tallies = await figures_service.monthly_tallies(session, months=months, scope=scope)
    per_month: dict[int, dict[str, Tally]] = defaultdict(dict)
    for (month, category), tally in tallies.items():
        per_month[month][category] = tally
    first, last = months
    answer = []
    for index in range((first // 100) * 12 + first % 100 - 1, (last // 100) * 12 + last % 100):
        year, month = divmod(index, 12)
        key = year * 100 + month + 1
        answer.append(TrendMonth(month=f"{year:04d}-{month + 1:02d}", rows=_rows(per_month[key], {})))
    return answer


def _per_10k(count: int, connected: int) -> float | None:
    return count * 10_000 / connected if connected else None


def _worst_first(row: CompanyRow) -> tuple[bool, float, float, str]:
    # No connected case means nothing to judge: such a company goes last, not first.
    rate = row.within_limit_rate
    return (rate is None, rate if rate is not None else 0.0, -(row.avg_working_days or 0.0), row.grid_company)


async def company_rows(
    session: AsyncSession, *, period: Period, scope: Scope, overdue_before: date
) -> list[CompanyRow]:
    """Every grid company with cases in scope, worst first, each with its per-category rows."""
    tallies = await figures_service.tallies(session, period=period, scope=scope, by_company=True)
    overdue = await figures_service.open_overdue(session, scope=scope, overdue_before=overdue_before, by_company=True)
    complaints = await figures_service.complaint_counts(session, period=period, scope=scope)
    disputes = await dispute_service.counts(session, period=period, scope=scope)
    per_company: dict[str, dict[str, Tally]] = defaultdict(dict)
    per_company_overdue: dict[str, dict[str, int]] = defaultdict(dict)
    for (category, company), tally in tallies.items():
        per_company[company or ""][category] = tally
    for (category, company), count in overdue.items():
        per_company_overdue[company or ""][category] = count
    companies = []
    for company in sorted(per_company.keys() | per_company_overdue.keys() | complaints.keys() | disputes.keys()):
        total = Tally()
        for tally in per_company[company].values():
            total.merge(tally)
        companies.append(
            CompanyRow(
                grid_company=company,
                rank=0,
                open_overdue_count=sum(per_company_overdue[company].values()),
                complaints_count=complaints.get(company, 0),
                complaints_per_10k=_per_10k(complaints.get(company, 0), total.connected_count),
                disputes_count=disputes.get(company, 0),
                rows=_rows(per_company[company], per_company_overdue[company]),
                **total.figures(),
            )
        )
    companies.sort(key=_worst_first)
    return [company.model_copy(update={"rank": rank}) for rank, company in enumerate(companies, start=1)]


async def temporary_rows(session: AsyncSession, *, period: Period, scope: Scope) -> list[TemporaryRow]:
    """The temporary connections' line for all companies in scope, then one per company that has any."""
    tallies = await figures_service.temporary_tallies(session, period=period, scope=scope, by_company=True)
    per_company: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for (_, company), tally in tallies.items():
        per_company[company or ""].merge(tally)
        total.merge(tally)
    lines = [TemporaryRow(grid_company="all", open_overdue_count=0, **total.figures())]
    for company in sorted(per_company):
        lines.append(TemporaryRow(grid_company=company, open_overdue_count=0, **per_company[company].figures()))
    return lines


async def report(session: AsyncSession, *, period: Period, scope: Scope, overdue_before: date) -> Report:
    """The report of a period: summary rows, companies worst first, temporary connections."""
    return Report(
        period=period.label,
        period_from=period.start,
        period_to=period.end,
        rows=await summary_rows(session, period=period, scope=scope, overdue_before=overdue_before),
        companies=await company_rows(session, period=period, scope=scope, overdue_before=overdue_before),
        temporary=await temporary_rows(session, period=period, scope=scope),
    )
