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
from services.metrics.figures.schemas import CategoryRow, CompanyRow, Figures, Report, TemporaryRow
from services.metrics.periods import BadPeriod, parse_label

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
CSV_MEDIA_TYPE = "text/csv"
# The company's own figures, repeated on each of its lines (empty on the "all" lines).
COMPANY_COLUMNS = ("complaints_count", "complaints_per_10k", "disputes_count")
CSV_COLUMNS = ("grid_company", "category", *Figures.model_fields, *COMPANY_COLUMNS)


def _csv_line(company: str, row: CategoryRow | TemporaryRow, of_company: CompanyRow | None = None) -> list[Any]:
    values = {**row.model_dump(), **(of_company.model_dump(include=set(COMPANY_COLUMNS)) if of_company else {})}
    # Empty cells for figures without cases; repr-exact numbers so the CSV equals the JSON.
    names = (*Figures.model_fields, *COMPANY_COLUMNS)
    return [company, row.category, *("" if values.get(name) is None else values[name] for name in names)]


def report_csv(report: Report) -> str:
    """The report as CSV: the "all" rows, each company's rows in ranking order, then the temporary lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow(_csv_line("all", row))
    for company in report.companies:
        for row in company.rows:
            writer.writerow(_csv_line(company.grid_company, row, company))
    for line in report.temporary:
        writer.writerow(_csv_line(line.grid_company, line))
    return buffer.getvalue()


@router.get(
    "/{period}",
    response_model=Report,
    responses={
        **problem_responses(Unauthorized, Forbidden, BadPeriod),
        200: {"content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}}},
    },
)
async def read_report(
    period: str,
    session: DbSession,
    scope: ReadScope,
    overdue_before: OverdueBefore,
    accept: str | None = Header(None),
) -> Report | Response:
    """The report of a period (2026H1, 2026Q3, 2026-09): per category, and per grid company worst first."""
    resolved = parse_label(period)
    answer = await build.report(session, period=resolved, scope=scope, overdue_before=overdue_before)
    if wants_csv(accept):
        return csv_response(report_csv(answer), f"report-{resolved.label}.csv")
    return answer


def wants_csv(accept: str | None) -> bool:
    """Whether the client asked for CSV."""
    return bool(accept and CSV_MEDIA_TYPE in accept.lower())


def csv_response(text: str, filename: str) -> Response:
    """A CSV download."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(text, media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8", headers=headers)
