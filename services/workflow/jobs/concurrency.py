"""Optimistic concurrency: every change first takes the job with one atomic UPDATE of its version."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from services.workflow.jobs.exceptions import JobClosed, MalformedVersion, StaleVersion
from services.workflow.jobs.models import Job


def parse_version(header: str | None) -> int | None:
    """The version an If-Match header names (`7`, `"7"` or `W/"7"`), None when absent."""
    if header is None:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise MalformedVersion("If-Match must carry the job's version, as in `If-Match: 3`.")
    return int(value)


def etag(job: Job) -> str:
    """The ETag of a job's current version."""
    return f'"{job.version}"'


async def claim(session: AsyncSession, job: Job, *, expected: int | None) -> None:
    """Bump the job's version for a change, or 409 when it is no longer `expected`.

    The UPDATE also holds the row until commit, so changes to one job run one after another; without
    `expected` a change that waited is applied to the job as the earlier one left it.
    """
    if expected is not None:
        if expected != job.version:
            raise StaleVersion(f"The job is at version {job.version}, not {expected}.", version=job.version)
        statement = (
            update(Job)
            .where(Job.id == job.id, Job.version == expected)
            .values(version=expected + 1)
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], await session.execute(statement))
        if result.rowcount != 1:
            # Another change with the same version committed first: exactly one of them wins.
            raise StaleVersion(f"The job changed after version {expected}; read it again.")
        set_committed_value(job, "version", expected + 1)
        return
    bump = (
        update(Job)
        .where(Job.id == job.id)
        .values(version=Job.version + 1)
        .returning(Job.version)
        .execution_options(synchronize_session=False)
    )
    version = (await session.execute(bump)).scalar_one()
    if version != job.version + 1:
        # Changed between reading and taking it: read it again, now that the row is ours.
        reread = select(Job).where(Job.id == job.id).execution_options(populate_existing=True)
        (await session.execute(reread)).scalar_one()
    set_committed_value(job, "version", version)


def require_open(job: Job) -> None:
    """409 if the job is connected or withdrawn."""
    if not job.is_open:
        raise JobClosed(f"The job is {job.status}; it takes no further changes.", job_status=job.status)
