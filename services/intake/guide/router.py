"""The public guide and the precheck: what applying takes, read from the rule set that is enforced."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select

from services.common import casetime
from services.common.auth import OptionalPrincipal
from services.common.calendar import CurrentCalendar
from services.common.clock import CurrentClock, local_date
from services.common.db import DbSession
from services.common.errors import Unauthorized, Unprocessable, problem_responses
from services.intake.applications.exceptions import UnknownRegion
from services.intake.applications.schemas import PrecheckRead, PrecheckRequest, StepRead
from services.intake.documents.models import Document

router = APIRouter(prefix="/api/v1", tags=["guide"])


@router.get("/guide", response_model=dict[str, Any])
async def guide(request: Request, clock: CurrentClock) -> dict[str, Any]:
    """The rule set in force today: categories, steps and limits, documents, fees, thresholds."""
    rule_set = request.app.state.rules.in_force_on(local_date(clock.now()))
    guide: dict[str, Any] = rule_set.public_dict()
    return guide


@router.post(
    "/precheck", response_model=PrecheckRead, responses=problem_responses(Unauthorized, UnknownRegion, Unprocessable)
)
async def precheck(
    request: Request,
    case: PrecheckRequest,
    session: DbSession,
    clock: CurrentClock,
    calendar: CurrentCalendar,
    principal: OptionalPrincipal,
) -> PrecheckRead:
    """What this case needs; with an applicant's token, also which documents are already on file and valid."""
    today = local_date(clock.now())
    rule_set = request.app.state.rules.in_force_on(today)
    grid_company = rule_set.grid_company_for(case.region)
    if grid_company is None:
        raise UnknownRegion(f"No grid company serves region {case.region}.", region=case.region)
    placement = rule_set.place(
        customer_type=case.customer_type,
        small_micro=case.small_micro,
        capacity_kva=case.capacity_kva,
        dual_supply=case.dual_supply,
        region=case.region,
    )
    category = rule_set.category(placement.category)
    required = list(rule_set.required_documents(category.code, case.business_type))
    on_file: list[str] = []
    if principal is not None and principal.role == "applicant":
        documents = await session.scalars(
            select(Document).where(Document.owner_id == principal.subject, Document.type.in_(required))
        )
        valid_types = {d.type for d in documents if d.is_valid_on(today)}
        on_file = [t for t in required if t in valid_types]
    expected = casetime.due(calendar, started_at=clock.now(), limit=category.total_limit_working_days)
    return PrecheckRead(
        category=category.code,
        access_voltage=placement.access_voltage,
        zero_investment=placement.zero_investment,
        grid_company=grid_company,
        steps=[StepRead(**s.model_dump()) for s in category.steps],
        total_limit_working_days=category.total_limit_working_days,
        allowed_visits=category.allowed_visits,
        required_documents=required,
        documents_on_file=on_file,
        expected_connection_on=expected.date,
        expected_connection_provisional=expected.provisional,
        rule_set=rule_set.id,
    )
