"""Who may touch a job's evidence (its company's staff and managers), the evidence loaded or 404, and its store."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Path

from services.common.auth import Principal, require_roles
from services.common.db import DbSession
from services.common.state import State
from services.workflow.evidence import service as evidence_service
from services.workflow.evidence.models import JobEvidence
from services.workflow.evidence.service import EvidenceStore
from services.workflow.jobs import queries
from services.workflow.jobs.dependencies import FIELD_ROLES, JobChange, OptionalIfMatch, company_scope, job_change
from services.workflow.jobs.models import Job
from services.workflow.settings import WorkflowSettings

# Photos of people's premises and forms they signed: for those who work the case.
FieldPrincipal = Annotated[Principal, Depends(require_roles(*FIELD_ROLES))]


async def _field_job(job_id: str, session: DbSession, principal: FieldPrincipal) -> Job:
    return await queries.get(session, job_id, grid_company=company_scope(principal), caller=principal.subject)


FieldJob = Annotated[Job, Depends(_field_job)]


FieldJobChange = Annotated[JobChange, job_change(FieldPrincipal, OptionalIfMatch)]


async def _evidence(evidence_id: Annotated[str, Path(max_length=36)], session: DbSession, job: FieldJob) -> JobEvidence:
    return await evidence_service.get(session, job, evidence_id)


CurrentEvidence = Annotated[JobEvidence, Depends(_evidence)]


def store_of(settings: WorkflowSettings) -> EvidenceStore:
    """The evidence store a workflow app's settings describe."""
    return EvidenceStore(
        directory=settings.evidence_store,
        max_bytes=settings.evidence_max_bytes,
        tolerance=timedelta(seconds=settings.evidence_clock_tolerance_seconds),
    )


async def _store(state: State) -> EvidenceStore:
    settings = state.settings
    if not isinstance(settings, WorkflowSettings):
        raise RuntimeError("evidence is kept by the workflow service only")
    return store_of(settings)


Store = Annotated[EvidenceStore, Depends(_store)]
