"""The audit chain: every change to a job is an entry hashed together with the entry before it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workflow.jobs.models import AuditEntry, Job
from services.workflow.jobs.schemas import AuditReport, BrokenLink

GENESIS = "0" * 64


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over a canonical JSON of an entry's fields and the previous entry's hash."""
    canonical = json.dumps(
        {
            "job_id": entry.job_id,
            "seq": entry.seq,
            "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": entry.actor,
            "action": entry.action,
            "details": entry.details,
            "prev_hash": entry.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(session: AsyncSession, job: Job, *, at: datetime, actor: str, action: str, details: dict[str, Any]) -> None:
    """Add the next entry of a job's chain; details must be plain JSON (no dates, no Decimals)."""
    entry = AuditEntry(
        job_id=job.id,
        seq=job.audit_seq + 1,
        at=at,
        actor=actor,
        action=action,
        details=details,
        prev_hash=job.audit_hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    job.audit_seq, job.audit_hash = entry.seq, entry.hash


async def history(session: AsyncSession, job_id: str) -> Sequence[AuditEntry]:
    """A job's chain, oldest first."""
    query = select(AuditEntry).where(AuditEntry.job_id == job_id).order_by(AuditEntry.seq)
    return (await session.scalars(query)).all()


async def verify(session: AsyncSession, *, grid_company: str | None, job_id: str | None = None) -> AuditReport:
    """Recompute the chains of every job in scope and report each entry that does not verify."""
    jobs = select(Job.id, Job.audit_seq, Job.audit_hash)
    entries = select(AuditEntry).join(Job, Job.id == AuditEntry.job_id)
    if grid_company is not None:
        jobs, entries = jobs.where(Job.grid_company == grid_company), entries.where(Job.grid_company == grid_company)
    if job_id is not None:
        jobs, entries = jobs.where(Job.id == job_id), entries.where(Job.id == job_id)
    heads = {row.id: (row.audit_seq, row.audit_hash) for row in await session.execute(jobs)}
    tails: dict[str, tuple[int, str]] = {}
    broken: list[BrokenLink] = []
    checked = 0
    stream = await session.stream_scalars(
        entries.order_by(AuditEntry.job_id, AuditEntry.seq).execution_options(yield_per=1000)
    )
    async for entry in stream:
        checked += 1
        seq, prev = tails.get(entry.job_id, (0, GENESIS))
        broken += [BrokenLink(job_id=entry.job_id, seq=entry.seq, reason=r) for r in _problems(entry, seq + 1, prev)]
        tails[entry.job_id] = (entry.seq, entry.hash)
    for job, head in heads.items():
        if tails.get(job, (0, GENESIS)) != head:
            # Entries were removed from the end, or the job's head was rewritten.
            broken.append(BrokenLink(job_id=job, seq=head[0], reason="the chain does not end at the job's head"))
    return AuditReport(ok=not broken, checked=checked, broken=broken)


def _problems(entry: AuditEntry, expected_seq: int, prev_hash: str) -> list[str]:
    problems = []
    if entry.seq != expected_seq:
        problems.append(f"expected entry {expected_seq}: entries are missing")
    if entry.prev_hash != prev_hash:
        problems.append("prev_hash does not match the previous entry's hash")
    recomputed = entry_hash(entry)
    if recomputed != entry.hash:
        problems.append("hash does not match the entry's contents")
    return problems
