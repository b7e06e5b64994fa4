"""The regulator's endpoints: summary, grid companies, overdue cases, violations, evidence of a case."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.common.calendar import CurrentCalendar
from services.common.db import DbSession
from services.common.errors import Forbidden, NotFound, Unauthorized, problem_responses
from services.metrics.access import ReadScope
from services.metrics.facts.models import CaseFact
from services.metrics.facts.schemas import CaseRead
from services.metrics.figures import build
from services.metrics.figures import cases as case_lists
from services.metrics.figures.dependencies import Limit, Offset, OverdueBefore
from services.metrics.figures.schemas import CompanyRanking, OverduePage, Summary, Trend, ViolationPage
from services.metrics.periods import BadPeriod, Period, month_range, resolve
from services.metrics.state import Settings

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])
_ERRORS = problem_responses(Unauthorized, Forbidden, BadPeriod)


async def _period(
    period: Annotated[str | None, Query(max_length=32, examples=["2026H1"])] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Period:
    return resolve(period, start, end)


RequestedPeriod = Annotated[Period, Depends(_period)]


@router.get("/summary", response_model=Summary, responses=_ERRORS)
async def read_summary(
    session: DbSession, scope: ReadScope, period: RequestedPeriod, overdue_before: OverdueBefore
) -> Summary:
    """One row per report category for cases connected in the period (read from the rollups)."""
    rows = await build.summary_rows(session, period=period, scope=scope, overdue_before=overdue_before)
    return Summary(period=period.label, rows=rows)


@router.get("/trend", response_model=Trend, responses=_ERRORS)
async def read_trend(
    session: DbSession,
    scope: ReadScope,
    start: Annotated[str, Query(alias="from", max_length=7, examples=["2026-01"])],
    end: Annotated[str, Query(alias="to", max_length=7, examples=["2026-06"])],
) -> Trend:
    """Summary rows per month from `from` to `to` (2026-01), every month listed, read from the monthly rollups."""
    months = await build.trend_months(session, months=month_range(start, end), scope=scope)
    return Trend(months=months)


@router.get("/grid-companies", response_model=CompanyRanking, responses=_ERRORS)
async def rank_grid_companies(
    session: DbSession, scope: ReadScope, period: RequestedPeriod, overdue_before: OverdueBefore
) -> CompanyRanking:
    """Every grid company in scope, worst first: lowest share within the limit, then longest average time."""
    companies = await build.company_rows(session, period=period, scope=scope, overdue_before=overdue_before)
    return CompanyRanking(period=period.label, companies=companies)


@router.get("/overdue", response_model=OverduePage, responses=problem_responses(Unauthorized, Forbidden))
async def list_overdue_cases(
    session: DbSession,
    scope: ReadScope,
    overdue_before: OverdueBefore,
    calendar: CurrentCalendar,
    limit: Limit = 100,
    offset: Offset = 0,
) -> OverduePage:
    """Open cases past their next deadline now."""
    items, total = await case_lists.overdue(
        session,
        scope=scope,
        overdue_before=overdue_before,
        calendar=calendar,
        limit=limit,
        offset=offset,
    )
    return OverduePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/violations", response_model=ViolationPage, responses=_ERRORS)
async def list_violations(
    settings: Settings,
    session: DbSession,
    scope: ReadScope,
    period: RequestedPeriod,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ViolationPage:
    """Customer fees where zero investment applies, visits over the allowance, overdue steps, long pauses,
    unlicensed contractors, and visits or fees the applicant disputed (`disputed_visit`, `disputed_fee`)."""
    long_pause = settings.long_pause_working_days
    items, total = await case_lists.violations(
        session, period=period, scope=scope, long_pause=long_pause, limit=limit, offset=offset
    )
    return ViolationPage(
        period=period.label,
        long_pause_working_days=long_pause,
        items=items,
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/cases/{application_id}", response_model=CaseRead, responses=problem_responses(Unauthorized, Forbidden, NotFound)
)
async def read_case_evidence(application_id: str, session: DbSession, scope: ReadScope) -> CaseRead:
    """The evidence of one case (an application id, or the id an imported case was given); 404 outside scope."""
    fact = await session.get(CaseFact, application_id)
    if fact is None or not scope.covers(fact.region, fact.grid_company):
        raise NotFound(f"No case {application_id} in your scope.")
    return CaseRead.model_validate(fact)
