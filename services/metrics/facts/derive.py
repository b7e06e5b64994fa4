"""Derived fields of a fact, recomputed from what it holds after every change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.common import casetime
from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.metrics.facts.models import LIVE, CaseFact
from services.metrics.rollups.contribution import Contribution


def refresh(fact: CaseFact, *, calendar: WorkingDayCalendar) -> None:
    """Recompute handling time, compliance, openness and the next deadline of a case."""
    fact.is_open = fact.connected_at is None and fact.withdrawn_at is None
    fact.submitted_on = local_date(fact.submitted_at) if fact.submitted_at else None
    fact.connected_on = local_date(fact.connected_at) if fact.connected_at else None
    fact.connected_month = fact.connected_on.year * 100 + fact.connected_on.month if fact.connected_on else None
    fact.step_count = len(fact.steps) if fact.steps else None
    fact.overdue_steps = sum(1 for step in fact.steps if step.get("overdue"))
    if fact.source == LIVE:
        # Workflow is the authority on a live case's time: its published figures are taken as they are.
        fact.working_days, fact.within_limit = fact.reported_working_days, fact.reported_within_limit
    elif fact.submitted_on is not None and fact.connected_on is not None:
        # An imported case is counted here from its dates, by the same functions workflow counts with.
        fact.working_days = casetime.handling_days(
            calendar, started_on=fact.submitted_on, ended_on=fact.connected_on, paused=fact.paused_working_days or 0
        )
        if fact.total_limit_working_days is not None:
            fact.within_limit = fact.working_days <= fact.total_limit_working_days and fact.overdue_steps == 0
    fact.due_on = _next_deadline(fact, calendar) if fact.is_open else None
    # A connection wins over a withdrawal: workflow refuses to withdraw a connected job, so a withdrawal
    # that crossed the connection in flight leaves a case that is connected and counted.
    fact.counted = (
        fact.connected_on is not None
        and fact.report_category is not None
        and fact.grid_company is not None
        and fact.region is not None
        and fact.working_days is not None
    )


def _next_deadline(fact: CaseFact, calendar: WorkingDayCalendar) -> date | None:
    """The current step's due date as workflow set it; before the job is known, the case's own."""
    for step in fact.steps:
        if not step.get("completed_at") and step.get("due_on"):
            return _as_date(step["due_on"])
    if fact.case_due_on is not None:
        return casetime.moved_by_pauses(calendar, fact.case_due_on, fact.paused_working_days or 0)
    return None


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def contribution(fact: CaseFact) -> Contribution | None:
    """The fact's share of the rollups, or None when it is not counted."""
    if not fact.counted:
        return None
    assert fact.connected_month is not None and fact.working_days is not None
    assert fact.report_category is not None and fact.grid_company is not None and fact.region is not None
    return Contribution(
        month=fact.connected_month,
        report_category=fact.report_category,
        grid_company=fact.grid_company,
        region=fact.region,
        working_days=fact.working_days,
        steps=fact.step_count or 0,
        documents=fact.documents_supplied or 0,
        customer_cost=fact.customer_cost if fact.customer_cost is not None else Decimal(0),
        within_limit=bool(fact.within_limit),
        zero_visit=(fact.visits or 0) == 0,
        online=fact.channel is not None and fact.channel != "hall",
        paused_working_days=fact.paused_working_days or 0,
        evaluation=fact.evaluation_score,
        signed_online=fact.contract_signed_at is not None,
    )
