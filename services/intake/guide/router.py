"""The public guide and the precheck: what applying takes, read from the rule set that is enforced."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.common import casetime
from services.common.auth import OptionalPrincipal
from services.common.calendar import CurrentCalendar
from services.common.clock import CurrentClock, local_date
from services.common.db import DbSession
from services.common.errors import Unauthorized, Unprocessable, problem_responses
from services.common.rules import guide as rule_set_guide
from services.common.state import CurrentRules
from services.intake.applications import service as application_service
from services.intake.applications.completeness import check_documents, normalize_address
from services.intake.applications.exceptions import UnknownRegion
from services.intake.applications.schemas import PrecheckRead, PrecheckRequest, StepRead
from services.intake.guide import regions
from services.intake.guide.schemas import RegionRead

router = APIRouter(prefix="/api/v1", tags=["guide"])


@router.get("/guide", response_model=dict[str, Any], responses=problem_responses(UnknownRegion, Unprocessable))
async def read_guide(
    rules: CurrentRules,
    clock: CurrentClock,
    region: Annotated[str | None, Query(description="A GB/T 2260 county code: adds that region's rules")] = None,
    on: Annotated[
        date | None, Query(description="The day whose rules to give (today in Asia/Shanghai if left out)")
    ] = None,
) -> dict[str, Any]:
    """The rule set in force on a day (today by default): categories, steps and limits, documents, fees, thresholds.

    With `region`, also `"region"`: the region, its grid company and the thresholds in force there.
    """
    rule_set = rules.in_force_on(on or local_date(clock.now()))
    guide: dict[str, Any] = rule_set.public_dict()
    if region is not None:
        where = regions.served(rule_set, region)
        guide["region"] = {
            **_region_read(where).model_dump(),
            "thresholds": rule_set_guide.thresholds_dict(rule_set.thresholds_for(region)),
        }
    return guide


@router.get("/regions/{code}", response_model=RegionRead, responses=problem_responses(UnknownRegion))
async def read_region(
    rules: CurrentRules,
    clock: CurrentClock,
    code: Annotated[str, Path(description="A GB/T 2260 county-level code, e.g. 510104")],
    on: Annotated[date | None, Query(description="The day whose grid-company map to use (today if left out)")] = None,
) -> RegionRead:
    """A county-level region and its grid company; a code that is not a GB/T 2260 code is 422 unknown-region."""
    rule_set = rules.in_force_on(on or local_date(clock.now()))
    return _region_read(regions.served(rule_set, code))


def _region_read(where: regions.ServedRegion) -> RegionRead:
    return RegionRead(
        code=where.region.code,
        name=where.region.name,
        province=where.region.province,
        province_code=where.region.province_code,
        grid_company=where.grid_company,
    )


@router.post(
    "/precheck", response_model=PrecheckRead, responses=problem_responses(Unauthorized, UnknownRegion, Unprocessable)
)
async def precheck_case(
    rules: CurrentRules,
    case: PrecheckRequest,
    session: DbSession,
    clock: CurrentClock,
    calendar: CurrentCalendar,
    principal: OptionalPrincipal,
) -> PrecheckRead:
    """What this case needs; with an applicant's token, also which documents are already on file and valid."""
    today = local_date(clock.now())
    rule_set = rules.in_force_on(today)
    grid_company = regions.served(rule_set, case.region).grid_company
    placement, category = rule_set.place_case(case)
    requirements = rule_set.requirements(category.code, case.business_type)
    required = [requirement.name for requirement in requirements]
    on_file: list[str] = []
    if principal is not None and principal.role == "applicant":
        kinds = [kind for requirement in requirements for kind in requirement.any_of]
        documents = await application_service.documents_on_file(session, owner_id=principal.subject, types=kinds)
        premises = (case.region, normalize_address(case.address)) if case.address else None
        check = check_documents(
            requirements,
            supplied=[],
            on_file=documents,
            on=today,
            premises=premises,
            premises_types=rule_set.premises_document_types,
        )
        on_file = [name for name in required if name in check.reused]
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
