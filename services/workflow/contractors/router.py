"""Contractor licences: the registry regulators import, and the contractor of a high-voltage job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.common.auth import Principal, require_roles
from services.common.clock import CurrentClock
from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized, Unprocessable, problem_responses
from services.workflow.contractors import service as contractor_service
from services.workflow.contractors.schemas import ContractorUpdate, LicenceImport, LicenceImportResult
from services.workflow.jobs.dependencies import CompanyJobChange
from services.workflow.jobs.exceptions import JobClosed, JobNotFound, MalformedVersion, StaleVersion
from services.workflow.jobs.schemas import JobRead

router = APIRouter(prefix="/api/v1", tags=["contractors"])
Importer = Annotated[Principal, Depends(require_roles("regulator", "admin"))]


@router.post(
    "/contractors/import",
    response_model=LicenceImportResult,
    responses=problem_responses(Unauthorized, Forbidden, Unprocessable),
)
async def import_licences(
    body: LicenceImport, session: DbSession, _importer: Importer, clock: CurrentClock
) -> LicenceImportResult:
    """Add licences (承装（修、试）电力设施许可证) to the registry; a number already there is replaced."""
    imported, updated = await contractor_service.import_licences(session, body.licences, now=clock.now())
    return LicenceImportResult(imported=imported, updated=updated)


@router.post(
    "/jobs/{job_id}/contractor",
    response_model=JobRead,
    responses=problem_responses(
        Unauthorized, Forbidden, JobNotFound, MalformedVersion, StaleVersion, JobClosed,
        contractor_service.ContractorNotApplicable, Unprocessable,
    ),
)  # fmt: skip
async def record_contractor(body: ContractorUpdate, change: CompanyJobChange, response: Response) -> JobRead:
    """Record the customer's contractor on a high-voltage job; completion inspection checks its licence."""
    await contractor_service.record_contractor(
        change.session, change.job, licence_number=body.licence_number, expected=change.expected, ctx=change.ctx
    )
    return change.answer(response)
