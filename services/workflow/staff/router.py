"""The staff directory, read by managers to pick whom to give a job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized, Unprocessable, problem_responses
from services.workflow.jobs.dependencies import company_scope
from services.workflow.staff import service as staff_service
from services.workflow.staff.dependencies import DirectoryReader
from services.workflow.staff.schemas import StaffRead

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.get(
    "",
    response_model=list[StaffRead],
    responses=problem_responses(Unauthorized, Forbidden, Unprocessable),
    description="The staff and managers of the caller's grid company (every company's for an admin), by "
    "company and username, as intake announced them: accounts made, deactivated or reactivated there. "
    "Field staff and other roles get 403. A job is given only to an `active` member whose role is `staff`.",
)
async def list_staff(
    session: DbSession,
    principal: DirectoryReader,
    active: Annotated[bool | None, Query(description="true: only those who may be given jobs now.")] = None,
) -> list[StaffRead]:
    """The grid company's staff directory."""
    members = await staff_service.listing(session, grid_company=company_scope(principal), active=active)
    return [StaffRead.model_validate(member, from_attributes=True) for member in members]
