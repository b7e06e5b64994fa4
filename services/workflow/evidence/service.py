"""Evidence from the site: stored by content, recorded on the job through its audit chain, read back by step."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import files
from services.workflow.evidence.exceptions import EvidenceNotFound, PositionIncomplete, TakenAtOutOfRange, UnknownStep
from services.workflow.evidence.models import JobEvidence
from services.workflow.evidence.schemas import EvidenceRead
from services.workflow.jobs import concurrency
from services.workflow.jobs.change import Change, apply
from services.workflow.jobs.context import Context
from services.workflow.jobs.models import Job


@dataclass(frozen=True)
class EvidenceStore:
    """Where evidence files go, the largest accepted, and how far a device's clock may run ahead."""

    directory: Path
    max_bytes: int
    tolerance: timedelta


@dataclass(frozen=True)
class EvidenceDraft:
    """What the field app says about a file: its step and kind, where and when it was taken."""

    step: str
    kind: str
    latitude: float | None = None
    longitude: float | None = None
    taken_at: datetime | None = None


def check(job: Job, draft: EvidenceDraft, *, now: datetime, tolerance: timedelta) -> None:
    """422 unless the step is the job's, the position whole, and taken_at between the application and now."""
    codes = [step.code for step in job.steps]
    if draft.step not in codes:
        raise UnknownStep(f"{draft.step!r} is not a step of this job; its steps are {codes}.", steps=codes)
    if (draft.latitude is None) != (draft.longitude is None):
        raise PositionIncomplete("Send both latitude and longitude, or neither.")
    if draft.taken_at is None:
        return
    if draft.taken_at > now + tolerance:
        raise TakenAtOutOfRange(f"taken_at {draft.taken_at.isoformat()} is later than now.", field="taken_at")
    if draft.taken_at < job.submitted_at - tolerance:
        raise TakenAtOutOfRange("taken_at is before the application was submitted.", field="taken_at")


async def upload(
    session: AsyncSession,
    job: Job,
    *,
    draft: EvidenceDraft,
    source: BinaryIO,
    store: EvidenceStore,
    expected: int | None,
    ctx: Context,
) -> JobEvidence:
    """Store the file by its SHA-256 and record it on the job; the audit entry carries the digest."""
    concurrency.require_open(job)  # before the file is read: a closed job takes no evidence
    check(job, draft, now=ctx.now, tolerance=store.tolerance)
    stored = await anyio.to_thread.run_sync(lambda: files.store(source, store.directory, max_bytes=store.max_bytes))
    row = JobEvidence(
        id=str(uuid.uuid4()),
        job_id=job.id,
        step_code=draft.step,
        kind=draft.kind,
        sha256=stored.sha256,
        media_type=stored.media_type,
        size=stored.size,
        latitude=draft.latitude,
        longitude=draft.longitude,
        taken_at=None if draft.taken_at is None else draft.taken_at.astimezone(UTC),
        uploaded_at=ctx.now,
        uploaded_by=ctx.actor,
    )

    def record() -> Change:
        row.audit_seq = job.audit_seq + 1
        session.add(row)
        # No event: evidence stays in workflow, and never reaches metrics.
        return Change("evidence_uploaded", audit_details(row))

    await apply(session, job, record, ctx=ctx, expected=expected)
    return row


def audit_details(row: JobEvidence) -> dict[str, object]:
    """What the audit entry of an upload records (plain JSON): enough to tell a swapped file or row."""
    return {
        "evidence_id": row.id,
        "step": row.step_code,
        "kind": row.kind,
        "sha256": row.sha256,
        "media_type": row.media_type,
        "size": row.size,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "taken_at": None if row.taken_at is None else row.taken_at.astimezone(UTC).isoformat(),
    }


async def for_job(session: AsyncSession, job_id: str, *, step: str | None = None) -> Sequence[JobEvidence]:
    """A job's evidence (for one step, if given), in the order it was uploaded."""
    query = select(JobEvidence).where(JobEvidence.job_id == job_id)
    if step is not None:
        query = query.where(JobEvidence.step_code == step)
    return (await session.scalars(query.order_by(JobEvidence.audit_seq))).all()


async def get(session: AsyncSession, job: Job, evidence_id: str) -> JobEvidence:
    """One piece of a job's evidence; another job's is as absent as a missing one."""
    row = await session.get(JobEvidence, evidence_id)
    if row is None or row.job_id != job.id:
        raise EvidenceNotFound(f"No evidence {evidence_id} on this job.")
    return row


def evidence_read(row: JobEvidence) -> EvidenceRead:
    """The public view of a piece of evidence."""
    return EvidenceRead.model_validate(row)
