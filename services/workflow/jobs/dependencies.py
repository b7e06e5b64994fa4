"""Who may touch which job, loaded or 404, and a change of one job: its session, version and context."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import contract
from services.common.auth import Principal, require_roles
from services.common.db import DbSession, request_session
from services.common.errors import Forbidden
from services.common.state import service_state
from services.workflow.jobs import concurrency, queries, views
from services.workflow.jobs.context import Context, build_context
from services.workflow.jobs.exceptions import VersionRequired
from services.workflow.jobs.models import Job
from services.workflow.jobs.schemas import JobRead
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


CompanyJob = Annotated[Job, Depends(_company_job)]


# The If-Match header of a change: the version the client read. Parsed once the job is read, so that a job the
# caller may not see is 404 whatever the header says.
OptionalIfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The job's `version` as last read (also its ETag). Completing a step requires it; "
        "other changes check it when it is sent. A stale version is answered with 409.",
    ),
]
RequiredIfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The job's `version` as last read (also its ETag). A stale version is answered with 409, "
        "a missing one with 428.",
        # Required in the contract; the default stays so that a missing header is its own problem (428).
        json_schema_extra={contract.REQUIRED_HEADER: True},
    ),
]


@dataclass(frozen=True)
class JobChange:
    """A request's change to one job: its session, the job as read, the version the client sent, the context."""

    session: AsyncSession
    job: Job
    expected: int | None  # the If-Match version; None: whatever version the job is at
    ctx: Context

    def tag(self, response: Response) -> None:
        """Send the job's new version as the ETag, for the client's next change."""
        response.headers["ETag"] = concurrency.etag(self.job)

    def answer(self, response: Response) -> JobRead:
        """The job as the change left it, its version in the ETag."""
        self.tag(response)
        return views.job_read(self.job, calendar=self.ctx.calendar, now=self.ctx.now)


@contextlib.asynccontextmanager
async def changing(
    request: Request, job_id: str, principal: Principal, if_match: str | None, *, required: bool
) -> AsyncIterator[JobChange]:
    """The change of a job the caller may see, in a session committed before the response.

    A change sent with If-Match is written as one statement guarded by that version (`concurrency.settle`),
    atomic alone, so its session needs no transaction. Without it the change holds the job's row in one.
    """
    async with request_session(request, one_guarded_statement=if_match is not None) as session:
        job = await queries.get(session, job_id, grid_company=company_scope(principal), caller=listed_caller(principal))
        expected = concurrency.parse_version(if_match)
        if required and expected is None:
            raise VersionRequired("Send If-Match with the job's version, as read from GET /api/v1/jobs/{id}.")
        ctx = await build_context(service_state(request), session, actor=principal.subject)
        yield JobChange(session, job, expected, ctx)


def job_change(caller: Any, header: Any) -> Any:
    """The dependency of a change by callers of one kind (an Annotated Principal), with one kind of If-Match."""
    required = header is RequiredIfMatch

    async def dependency(
        request: Request, job_id: str, principal: Principal, if_match: str | None = None
    ) -> AsyncIterator[JobChange]:
        async with changing(request, job_id, principal, if_match, required=required) as change:
            yield change

    # FastAPI reads what to resolve from the annotations: who may call, and the header as the contract shows it.
    dependency.__annotations__ |= {"principal": caller, "if_match": header}
    # scope="function": the change commits before the response is sent, so a client never sees a success rolled
    # back.
    return Depends(dependency, scope="function")


CompanyJobChange = Annotated[JobChange, job_change(CompanyCaller, OptionalIfMatch)]
VersionedJobChange = Annotated[JobChange, job_change(CompanyCaller, RequiredIfMatch)]
ManagedJobChange = Annotated[JobChange, job_change(ManagerCaller, OptionalIfMatch)]
