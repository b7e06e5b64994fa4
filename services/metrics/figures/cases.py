"""Case lists behind the figures: open overdue cases now, and the violations of a period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar import WorkingDayCalendar
from services.metrics.access import Scope
from services.metrics.disputes import service as dispute_service
from services.metrics.disputes.models import Dispute
from services.metrics.facts.models import FACT, OPEN_CASE, CaseFact
from services.metrics.figures.schemas import DisputedRecord, OverdueCase, Violation, ViolationKind
from services.metrics.figures.service import overdue_filter
from services.metrics.periods import Period


async def _page(
    session: AsyncSession, where: Sequence[Any], order: Sequence[Any], limit: int, offset: int
) -> tuple[list[CaseFact], int]:
    total = int((await session.execute(select(func.count()).select_from(FACT).where(*where))).scalar_one())
    facts = (await session.scalars(select(CaseFact).where(*where).order_by(*order).limit(limit).offset(offset))).all()
    return list(facts), total


def _whose(fact: CaseFact) -> dict[str, Any]:
    # What each case list shows first: which case, where it came from, and whose it is.
    return {
        "case_id": fact.id,
        "source": fact.source,
        "report_category": fact.report_category,
        "grid_company": fact.grid_company,
        "region": fact.region,
    }


async def overdue(
    session: AsyncSession, *, scope: Scope, overdue_before: date, calendar: WorkingDayCalendar, limit: int, offset: int
) -> tuple[list[OverdueCase], int]:
    """Open cases past their next deadline, the longest overdue first."""
    where = [*overdue_filter(overdue_before), scope.fact_filter(OPEN_CASE)]
    total = int((await session.execute(select(func.count()).select_from(OPEN_CASE).where(*where))).scalar_one())
    page = select(OPEN_CASE.c.id).where(*where).order_by(OPEN_CASE.c.due_on, OPEN_CASE.c.id).limit(limit).offset(offset)
    ids = list((await session.scalars(page)).all())
    loaded = {f.id: f for f in (await session.scalars(select(CaseFact).where(CaseFact.id.in_(ids)))).all()}
    items = []
    for fact in (loaded[case_id] for case_id in ids):
        assert fact.due_on is not None
        items.append(
            OverdueCase(
                **_whose(fact),
                category=fact.category,
                current_step=fact.current_step,
                due_on=fact.due_on,
                working_days_overdue=calendar.working_days_between(fact.due_on, overdue_before),
                paused=fact.paused_on is not None,
            )
        )
    return items, total


def _kinds(fact: CaseFact, long_pause: int, disputes: list[Dispute]) -> list[ViolationKind]:
    kinds: list[ViolationKind] = []
    if fact.flagged_fees > 0:
        kinds.append("customer_fee_zero_investment")
    if fact.allowed_visits is not None and fact.visits > fact.allowed_visits:
        kinds.append("visits_over_allowance")
    if fact.overdue_steps > 0:
        kinds.append("overdue_steps")
    if fact.longest_pause_working_days > long_pause:
        kinds.append("long_pause")
    if fact.unlicensed_contractor:
        kinds.append("unlicensed_contractor")
    disputed = {dispute.record for dispute in disputes}
    if "visit" in disputed:
        kinds.append("disputed_visit")
    if "fee" in disputed:
        kinds.append("disputed_fee")
    return kinds


async def violations(
    session: AsyncSession, *, period: Period, scope: Scope, long_pause: int, limit: int, offset: int
) -> tuple[list[Violation], int]:
    """Cases connected in the period, or still open and submitted by its end, that broke a rule."""
    in_period = or_(
        FACT.c.connected_on.between(period.start, period.end),
        and_(FACT.c.is_open.is_(True), FACT.c.submitted_on <= period.end),
    )
    broke = or_(
        FACT.c.flagged_fees > 0,
        and_(FACT.c.allowed_visits.is_not(None), FACT.c.visits > FACT.c.allowed_visits),
        FACT.c.overdue_steps > 0,
        FACT.c.longest_pause_working_days > long_pause,
        FACT.c.unlicensed_contractor.is_(True),
        exists().where(dispute_service.DISPUTE.c.case_id == FACT.c.id),
    )
    where = [in_period, broke, scope.fact_filter(FACT)]
    facts, total = await _page(session, where, [FACT.c.connected_on, FACT.c.id], limit, offset)
    disputes = await dispute_service.of_cases(session, [fact.id for fact in facts])
    items = [
        Violation(
            **_whose(fact),
            connected_on=fact.connected_on,
            kinds=_kinds(fact, long_pause, disputes[fact.id]),
            flagged_fee_yuan=float(fact.flagged_fee_yuan),
            visits=fact.visits,
            allowed_visits=fact.allowed_visits,
            overdue_steps=[s["code"] for s in fact.steps if s.get("overdue")],
            longest_pause_working_days=fact.longest_pause_working_days,
            disputes=[DisputedRecord.model_validate(dispute) for dispute in disputes[fact.id]],
        )
        for fact in facts
    ]
    return items, total
