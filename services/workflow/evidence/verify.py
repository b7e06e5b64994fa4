"""Evidence checked against the audit chain: each row as its upload entry recorded it, each file as its digest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import files
from services.workflow.evidence.models import JobEvidence
from services.workflow.evidence.service import audit_details
from services.workflow.jobs.models import AuditEntry, Job
from services.workflow.jobs.schemas import BrokenLink

UPLOADED = "evidence_uploaded"


def _scoped(query: Select[Any], *, grid_company: str | None, job_id: str | None) -> Select[Any]:
    if grid_company is not None:
        query = query.where(Job.grid_company == grid_company)
    if job_id is not None:
        query = query.where(Job.id == job_id)
    return query


async def verify(
    session: AsyncSession, *, directory: Path, grid_company: str | None, job_id: str | None = None
) -> list[BrokenLink]:
    """Every piece of evidence in scope that differs from its audit entry, lacks one, or whose file changed.

    The chain itself is verified by the audit module: an entry edited to match a swapped row breaks it there.
    """
    entries = _scoped(
        select(AuditEntry).join(Job, Job.id == AuditEntry.job_id).where(AuditEntry.action == UPLOADED),
        grid_company=grid_company,
        job_id=job_id,
    )
    recorded = {str(entry.details.get("evidence_id")): entry for entry in (await session.scalars(entries)).all()}
    rows = _scoped(
        select(JobEvidence).join(Job, Job.id == JobEvidence.job_id), grid_company=grid_company, job_id=job_id
    )
    broken: list[BrokenLink] = []
    for row in (await session.scalars(rows.order_by(JobEvidence.job_id, JobEvidence.audit_seq))).all():
        entry = recorded.pop(row.id, None)
        if entry is None or entry.job_id != row.job_id or entry.seq != row.audit_seq:
            broken.append(
                BrokenLink(job_id=row.job_id, seq=row.audit_seq, reason=f"evidence {row.id} has no upload entry")
            )
            continue
        if entry.details != audit_details(row):
            reason = f"evidence {row.id} differs from what its upload entry recorded"
            broken.append(BrokenLink(job_id=row.job_id, seq=entry.seq, reason=reason))
            continue
        digest = await anyio.to_thread.run_sync(files.digest_of, files.path_for(directory, row.sha256))
        if digest != row.sha256:
            problem = "is missing from the store" if digest is None else "does not match its SHA-256"
            broken.append(
                BrokenLink(job_id=row.job_id, seq=entry.seq, reason=f"the file of evidence {row.id} {problem}")
            )
    for evidence_id, entry in recorded.items():
        reason = f"evidence {evidence_id} recorded here is missing"
        broken.append(BrokenLink(job_id=entry.job_id, seq=entry.seq, reason=reason))
    return broken
