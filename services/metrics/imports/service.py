"""Importing historical cases: every row checked, all or nothing, repeats skipped, days counted as live."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import casetime
from services.common.auth import Principal
from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.common.rules import RuleBook, region_list
from services.metrics.facts import derive
from services.metrics.facts.models import IMPORT, CaseFact
from services.metrics.imports.exceptions import BadRows, ImportRace, TooManyRows
from services.metrics.imports.schemas import ImportBatch, ImportCase, ImportResult
from services.metrics.rollups import service as rollup_service


def _reasons(raw: Any, *, rules: RuleBook, principal: Principal, now: datetime) -> tuple[ImportCase | None, list[str]]:
    try:
        case = ImportCase.model_validate(raw)
    except ValidationError as exc:
        return None, [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()]
    reasons = []
    if principal.role == "manager" and case.grid_company != principal.grid_company:
        reasons.append(f"grid_company: {case.grid_company} is not your grid company")
    rule_set = rules.in_force_on(local_date(case.submitted_at))
    served = rule_set.grid_company_for(case.region)
    if region_list().lookup(case.region) is None:
        # As intake takes a case: in a county, so that it counts in every figure of its province and county.
        reasons.append(f"region: {case.region} is not a GB/T 2260 county-level code")
    elif served != case.grid_company:
        reasons.append(f"region: {case.region} is served by {served or 'no grid company'}, not {case.grid_company}")
    process = {step.code for step in rule_set.category(case.category).steps}
    if strays := [step.code for step in case.steps if step.code not in process]:
        reasons.append(f"steps: {', '.join(strays)} not a step of {case.category} under rule set {rule_set.id}")
    if case.connected_at < case.submitted_at:
        reasons.append("connected_at: before submitted_at")
    if case.connected_at > now:
        reasons.append("connected_at: in the future")
    codes = [step.code for step in case.steps]
    if len(set(codes)) != len(codes):
        reasons.append("steps: a step code appears twice")
    for i, step in enumerate(case.steps):
        if step.completed_at < step.started_at:
            reasons.append(f"steps.{i}: completed_at before started_at")
        if step.started_at < case.submitted_at or step.completed_at > case.connected_at:
            reasons.append(f"steps.{i}: outside submitted_at..connected_at")
    return case, reasons


def _fact(case: ImportCase, *, rules: RuleBook, calendar: WorkingDayCalendar, now: datetime) -> CaseFact:
    submitted_on = local_date(case.submitted_at)
    rule_set = rules.in_force_on(submitted_on)
    category = rule_set.category(case.category).held_with(step.code for step in case.steps)
    limits = {step.code: step.limit_working_days for step in category.steps}
    steps = []
    for step in case.steps:
        limit = limits.get(step.code)
        # Pauses of a historical case are known only as a total, so a step's time is not reduced by them.
        elapsed = casetime.elapsed(calendar, started_at=step.started_at, until=step.completed_at)
        due_on = casetime.due(calendar, started_at=step.started_at, limit=limit).date if limit else None
        steps.append(
            {
                "code": step.code,
                "limit_working_days": limit,
                "started_at": step.started_at.isoformat(),
                "due_on": due_on.isoformat() if due_on else None,
                "completed_at": step.completed_at.isoformat(),
                "elapsed_working_days": elapsed,
                "overdue": casetime.is_overdue(calendar, due_on=due_on, today=local_date(step.completed_at)),
            }
        )
    flagged = category.zero_investment and case.customer_cost > 0
    fact = CaseFact(
        id=str(uuid.uuid4()),
        source=IMPORT,
        external_id=case.external_id,
        category=case.category,
        report_category=rule_set.report_category(case.category, case.business_type),
        business_type=case.business_type,
        grid_company=case.grid_company,
        region=case.region,
        channel=case.channel,
        rule_set=rule_set.id,
        zero_investment=category.zero_investment,
        allowed_visits=category.allowed_visits,
        total_limit_working_days=category.total_limit_working_days,
        submitted_at=case.submitted_at,
        case_due_on=casetime.due(calendar, started_at=case.submitted_at, limit=category.total_limit_working_days).date,
        connected_at=case.connected_at,
        paused_working_days=case.paused_working_days,
        # Known only as a total: reported as one pause.
        longest_pause_working_days=case.paused_working_days,
        documents_supplied=case.documents_supplied,
        customer_cost=case.customer_cost,
        flagged_fees=int(flagged),
        flagged_fee_yuan=case.customer_cost if flagged else Decimal(0),
        visits=case.visits,
        steps=steps,
        fees=[],
        visit_log=[],
        pauses=[],
        overdue_steps=0,
        updated_at=now,
    )
    derive.refresh(fact, calendar=calendar)
    return fact


async def import_cases(
    session: AsyncSession,
    *,
    batch: ImportBatch,
    principal: Principal,
    rules: RuleBook,
    calendar: WorkingDayCalendar,
    now: datetime,
    max_rows: int,
) -> ImportResult:
    """Import a batch whole, or nothing of it when any row is bad (422 naming every bad row)."""
    if len(batch.cases) > max_rows:
        raise TooManyRows(f"A batch holds at most {max_rows} rows; split it.", max_rows=max_rows)
    cases: list[ImportCase] = []
    problems: list[dict[str, Any]] = []
    for index, raw in enumerate(batch.cases):
        case, reasons = _reasons(raw, rules=rules, principal=principal, now=now)
        if reasons:
            problems.append({"index": index, "reason": "; ".join(reasons)})
        elif case is not None:
            cases.append(case)
    if problems:
        raise BadRows(f"{len(problems)} of {len(batch.cases)} rows cannot be imported; nothing was.", rows=problems)
    fresh: dict[tuple[str, str], ImportCase] = {}
    for case in cases:
        fresh.setdefault((case.grid_company, case.external_id), case)
    known = select(CaseFact.grid_company, CaseFact.external_id).where(
        tuple_(CaseFact.grid_company, CaseFact.external_id).in_(list(fresh))
    )
    for company, external_id in (await session.execute(known)).all():
        fresh.pop((company or "", external_id or ""), None)
    facts = [_fact(case, rules=rules, calendar=calendar, now=now) for case in fresh.values()]
    session.add_all(facts)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ImportRace("Some of these cases were just imported by another request; send the batch again.") from exc
    await rollup_service.add_many(session, [share for f in facts if (share := derive.contribution(f)) is not None])
    return ImportResult(imported=len(facts), skipped=len(cases) - len(facts))
