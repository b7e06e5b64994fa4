"""POST /reports/{period}/publish (admins, nationwide regulators) and the open-data GET /public/reports/{period}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, status
from fastapi.responses import Response

from services.common.auth import Principal, require_roles
from services.common.clock import CurrentClock
from services.common.db import DbSession
from services.common.errors import Forbidden, NotFound, Unauthorized, problem_responses
from services.metrics.figures.dependencies import OverdueBefore
from services.metrics.figures.reports import CSV_MEDIA_TYPE, csv_response, report_csv, wants_csv
from services.metrics.periods import BadPeriod, Period, parse_label
from services.metrics.publication import service as publication_service
from services.metrics.publication.exceptions import PublicationsCrossed
from services.metrics.publication.schemas import PublicReport

router = APIRouter(tags=["reports"])
_CSV: dict[int | str, dict[str, Any]] = {200: {"content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}}}}


async def _publisher(principal: Annotated[Principal, Depends(require_roles("regulator", "admin"))]) -> Principal:
    if principal.role == "regulator" and "*" not in principal.regions:
        raise Forbidden("Publishing is for admins and regulators of every region.")
    return principal


Publisher = Annotated[Principal, Depends(_publisher)]


async def _half_year(period: str) -> Period:
    resolved = parse_label(period)
    if "H" not in resolved.label:
        raise BadPeriod(f"{period!r} is not a half-year: publish 2026H1 or 2026H2.")
    return resolved


HalfYear = Annotated[Period, Depends(_half_year)]


@router.post(
    "/api/v1/reports/{period}/publish",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicReport,
    responses=problem_responses(Unauthorized, Forbidden, BadPeriod, PublicationsCrossed),
)
async def publish_report(
    period: HalfYear, session: DbSession, publisher: Publisher, clock: CurrentClock, overdue_before: OverdueBefore
) -> PublicReport:
    """Freeze the half-year's figures, every region, as a new version of its public report."""
    return await publication_service.publish(
        session, period=period, publisher=publisher.subject, now=clock.now(), overdue_before=overdue_before
    )


@router.get(
    "/api/v1/public/reports/{period}",
    response_model=PublicReport,
    responses={**problem_responses(NotFound, BadPeriod), **_CSV},
)
async def read_public_report(
    period: HalfYear, session: DbSession, accept: Annotated[str | None, Header()] = None
) -> PublicReport | Response:
    """The latest published version of a half-year (no account needed), as JSON or, with Accept: text/csv, CSV."""
    report = await publication_service.latest(session, period=period.label)
    if report is None:
        raise NotFound(f"{period.label} has not been published.")
    if wants_csv(accept):
        return csv_response(report_csv(report), f"report-{report.period}-v{report.version}.csv")
    return report
