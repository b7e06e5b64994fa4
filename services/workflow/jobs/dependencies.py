"""Who may touch which job, loaded or 404, and a change of one job: its session, version and context."""

from __future__ import annotations

import contextlib
import inspect
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import contract
from services.common.auth import Principal, require_roles
from services.common.db import DbSession, request_session
from services.common.errors import Forbidden
from services.common.idempotency import IdempotencyClaim, Replayed, digest_of
from services.common.state import ServiceState, service_state
from services.common.work import IdempotencyKey
from services.workflow.jobs import concurrency, queries, views
from services.workflow.jobs.context import Context, build_context
from services.workflow.jobs.exceptions import VersionRequired
from services.workflow.jobs.models import Job
from services.workflow.jobs.schemas import JobRead
from services.workflow.staff.dependencies import require_active_roles

Answer = TypeVar("Answer", bound=BaseModel)

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


@dataclass
class JobChange:
    """A request's change to one job: its session, the job as read, the version the client sent, the context."""

    session: AsyncSession
    job: Job
    expected: int | None  # the If-Match version; None: whatever version the job is at
    ctx: Context
    # What the route answered, kept for the retries of a request sent with an Idempotency-Key.
    replied: BaseModel | None = field(default=None, init=False)

    def tag(self, response: Response) -> None:
        """Send the job's new version as the ETag, for the client's next change."""
        response.headers["ETag"] = concurrency.etag(self.job)

    def answer(self, response: Response) -> JobRead:
        """The job as the change left it, its version in the ETag."""
        return self.reply(response, views.job_read(self.job, calendar=self.ctx.calendar, now=self.ctx.now))

    def reply(self, response: Response, answer: Answer) -> Answer:
        """Answer with what the change made, the job's new version in the ETag."""
        self.tag(response)
        self.replied = answer
        return answer


@contextlib.asynccontextmanager
async def changing(
    request: Request,
    job_id: str,
    principal: Principal,
    if_match: str | None,
    *,
    required: bool,
    idempotency_key: str | None = None,
) -> AsyncIterator[JobChange]:
    """The change of a job the caller may see, in a session committed before the response.

    A change sent with If-Match is written as one statement guarded by that version (`concurrency.settle`),
    atomic alone, so its session needs no transaction. Without it the change holds the job's row in one. A
    change sent with an Idempotency-Key takes the key first and stores its answer in the change's transaction:
    a retry gets that answer again, and nothing is changed twice.
    """
    state = service_state(request)
    claim = None if idempotency_key is None else await _claim(request, state, principal, idempotency_key)
    try:
        guarded = if_match is not None and claim is None
        async with request_session(request, one_guarded_statement=guarded) as session:
            job = await queries.get(
                session, job_id, grid_company=company_scope(principal), caller=listed_caller(principal)
            )
            expected = concurrency.parse_version(if_match)
            if required and expected is None:
                raise VersionRequired("Send If-Match with the job's version, as read from GET /api/v1/jobs/{id}.")
            ctx = await build_context(state, session, actor=principal.subject)
            change = JobChange(session, job, expected, ctx)
            yield change
            if claim is not None:
                if change.replied is None:
                    raise RuntimeError("a change that honours Idempotency-Key must reply through JobChange.reply")
                route: APIRoute = request.scope["route"]
                await claim.answer(session, status_code=route.status_code or 200, answer=change.replied)
    except BaseException:
        if claim is not None:
            await claim.release()  # the change did not happen: a retry is answered afresh
        raise


async def _claim(request: Request, state: ServiceState, principal: Principal, key: str) -> IdempotencyClaim:
    """The caller's key for this request, before any session opens; Replayed with the first answer if it had one."""
    if state.idempotency is None:
        raise RuntimeError(f"{state.settings.service_name} keeps no idempotency records")
    body = await request.body()  # as read for the route already: a JSON body, valid
    # What the request asks: the route and job, and the body in any spelling.
    asked = {"path": request.url.path, "body": json.loads(body) if body else None}
    claimed = await state.idempotency.claim(
        state.database, owner_id=principal.subject, key=key, digest=digest_of(asked), now=state.clock.now()
    )
    if isinstance(claimed, JSONResponse):
        raise Replayed(claimed)
    return claimed


def job_change(caller: Any, header: Any, *, idempotent: bool = False) -> Any:
    """The dependency of a change by callers of one kind (an Annotated Principal), with one kind of If-Match, and
    (`idempotent`) honouring an Idempotency-Key."""
    required = header is RequiredIfMatch

    async def dependency(
        request: Request,
        job_id: str,
        principal: Principal,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> AsyncIterator[JobChange]:
        async with changing(
            request, job_id, principal, if_match, required=required, idempotency_key=idempotency_key
        ) as change:
            yield change

    # FastAPI reads what to resolve from the annotations: who may call, and the headers as the contract shows them.
    dependency.__annotations__ |= {"principal": caller, "if_match": header, "idempotency_key": IdempotencyKey}
    if not idempotent:
        signature = inspect.signature(dependency)
        dependency.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p for p in signature.parameters.values() if p.name != "idempotency_key"]
        )
    # scope="function": the change commits before the response is sent, so a client never sees a success rolled
    # back.
    return Depends(dependency, scope="function")


CompanyJobChange = Annotated[JobChange, job_change(CompanyCaller, OptionalIfMatch)]
# A change that records something new on the job (a fee, a visit): a retry sent with its key records it once.
RecordingJobChange = Annotated[JobChange, job_change(CompanyCaller, OptionalIfMatch, idempotent=True)]
VersionedJobChange = Annotated[JobChange, job_change(CompanyCaller, RequiredIfMatch)]
ManagedJobChange = Annotated[JobChange, job_change(ManagerCaller, OptionalIfMatch)]
