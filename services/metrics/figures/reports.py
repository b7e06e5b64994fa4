"""The half-year report: JSON, or CSV with the same numbers when the client accepts text/csv."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Header
from fastapi.responses import Response

from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized, problem_responses
from services.metrics.access import ReadScope
from services.metrics.figures import build
from services.metrics.figures.dependencies import OverdueBefore
from services.metrics.figures.schemas import CategoryRow, CompanyRow, Figures, Report
from services.metrics.periods import BadPeriod, parse_label

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
CSV_MEDIA_TYPE = "text/csv"
# The company's own figures, repeated on each of its lines (empty on the "all" lines).
COMPANY_COLUMNS = ("complaints_count", "complaints_per_10k", "disputes_count")
CSV_COLUMNS = ("grid_company", "category", *Figures.model_fields, *COMPANY_COLUMNS)


def _csv_line(company: str, row: CategoryRow, of_company: CompanyRow | None = None) -> list[Any]:
    values = {**row.model_dump(), **(of_company.model_dump(include=set(COMPANY_COLUMNS)) if of_company else {})}
    # Empty cells for figures without cases; repr-exact numbers so the CSV equals the JSON.
    names = (*Figures.model_fields, *COMPANY_COLUMNS)
    return [company, row.category, *("" if values.get(name) is None else values[name] for name in names)]


def report_csv(report: Report) -> str:
    """The report as CSV: the "all" rows first, then each company's rows in ranking order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow(_csv_line("all", row))
    for company in report.companies:
        for row in company.rows:
            writer.writerow(_csv_line(company.grid_company, row, company))
    return buffer.getvalue()


@router.get(
    "/{period}",
    response_model=Report,
    responses={
        **problem_responses(Unauthorized, Forbidden, BadPeriod),
        200: {"content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}}},
    },
)
async def report(
    period: str,
    session: DbSession,
    scope: ReadScope,
    overdue_before: OverdueBefore,
    accept: str | None = Header(None),
) -> Report | Response:
    """The report of a period (2026H1, 2026Q3, 2026-09): per category, and per grid company worst first."""
    resolved = parse_label(period)
    answer = Report(
        period=resolved.label,
        period_from=resolved.start,
        period_to=resolved.end,
        rows=await build.summary_rows(session, period=resolved, scope=scope, overdue_before=overdue_before),
        companies=await build.company_rows(session, period=resolved, scope=scope, overdue_before=overdue_before),
    )
    if accept and CSV_MEDIA_TYPE in accept.lower():
        headers = {"Content-Disposition": f'attachment; filename="report-{resolved.label}.csv"'}
        return Response(report_csv(answer), media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8", headers=headers)
    return answer
