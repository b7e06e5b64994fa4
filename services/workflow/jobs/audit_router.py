"""The audit chains of a company's jobs, verified end to end (managers and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized, Unprocessable, problem_responses
from services.workflow.evidence import verify as evidence_verify
from services.workflow.evidence.dependencies import Store
from services.workflow.jobs import audit, queries
from services.workflow.jobs.dependencies import ManagerPrincipal, company_scope
from services.workflow.jobs.exceptions import JobNotFound
from services.workflow.jobs.schemas import AuditReport

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
_AUTH_ERRORS = (Unauthorized, Forbidden)


@router.get(
    "/verify", response_model=AuditReport, responses=problem_responses(*_AUTH_ERRORS, JobNotFound, Unprocessable)
)
async def verify_audit(
    session: DbSession,
    principal: ManagerPrincipal,
    store: Store,
    job_id: Annotated[str | None, Query(max_length=36, description="Verify this job's chain only.")] = None,
) -> AuditReport:
    """Recompute the audit chains of the caller's company (every company's for an admin).

    Evidence is checked too: each row against the entry that recorded its upload, each file against its SHA-256.
    """
    scope = company_scope(principal)
    if job_id is not None:
        await queries.get(session, job_id, grid_company=scope)
    report = await audit.verify(session, grid_company=scope, job_id=job_id)
    evidence = await evidence_verify.verify(session, directory=store.directory, grid_company=scope, job_id=job_id)
    return AuditReport(ok=report.ok and not evidence, checked=report.checked, broken=[*report.broken, *evidence])
