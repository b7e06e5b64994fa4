"""Who may touch which job, loaded or 404, and the context of a change."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from services.common import contract
from services.common.auth import CurrentPrincipal, Principal, require_roles
from services.common.db import DbSession
from services.common.errors import Forbidden
from services.common.state import State
from services.workflow.jobs import concurrency, queries
from services.workflow.jobs.context import Context, build_context
from services.workflow.jobs.exceptions import VersionRequired
from services.workflow.jobs.models import Job
from services.workflow.staff.dependencies import require_active_roles

# Who works the case for its grid company and so may see its personal details and the evidence from its
# site (an admin runs the platform, not the visits).
FIELD_ROLES = ("staff", "manager")
CompanyPrincipal = Annotated[Principal, Depends(require_active_roles("staff", "manager", "admin"))]
ManagerPrincipal = Annotated[Principal, Depends(require_active_roles("manager", "admin"))]
# The same callers before the directory is asked about them: a route on one job asks in the job's own read.
CompanyCaller = Annotated[Principal, Depends(require_roles("staff", "manager", "admin"))]
ManagerCaller = Annotated[Principal, Depends(require_roles("manager", "admin"))]


def company_scope(principal: Principal) -> str | None:
    """The grid company whose jobs the caller may see; None for an admin, who sees all."""
    if principal.role == "admin":
        return None
    if not principal.grid_company:
        raise Forbidden("Your token names no grid company.")
    return principal.grid_company


def listed_caller(principal: Principal) -> str | None:
    """The caller's account when the staff directory lists such accounts (staff and managers), to check it."""
    return principal.subject if principal.role in FIELD_ROLES else None


async def _company_job(job_id: str, session: DbSession, principal: CompanyCaller) -> Job:
    return await queries.get(session, job_id, grid_company=company_scope(principal), caller=listed_caller(principal))


async def _managed_job(job_id: str, session: DbSession, principal: ManagerCaller) -> Job:
    return await queries.get(session, job_id, grid_company=company_scope(principal), caller=listed_caller(principal))


CompanyJob = Annotated[Job, Depends(_company_job)]
ManagedJob = Annotated[Job, Depends(_managed_job)]


# Dependencies that await nothing are still `async def`: FastAPI runs a plain `def` in its thread pool, a hop
# that costs more than the header they parse.
async def _if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The job's `version` as last read (also its ETag). Completing a step requires it; "
            "other changes check it when it is sent. A stale version is answered with 409.",
        ),
    ] = None,
) -> int | None:
    return concurrency.parse_version(if_match)


async def _required_if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The job's `version` as last read (also its ETag). A stale version is answered with 409, "
            "a missing one with 428.",
            # Required in the contract; the default stays so that a missing header is its own problem (428).
            json_schema_extra={contract.REQUIRED_HEADER: True},
        ),
    ] = None,
) -> int:
    version = concurrency.parse_version(if_match)
    if version is None:
        raise VersionRequired("Send If-Match with the job's version, as read from GET /api/v1/jobs/{id}.")
    return version


IfMatch = Annotated[int | None, Depends(_if_match)]
RequiredIfMatch = Annotated[int, Depends(_required_if_match)]


async def _context(state: State, session: DbSession, principal: CurrentPrincipal) -> Context:
    return await build_context(state, session, actor=principal.subject)


JobContext = Annotated[Context, Depends(_context)]
