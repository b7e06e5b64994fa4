"""Optimistic concurrency: every change takes the job with an atomic UPDATE guarded by its version."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from services.common.events import EventTables, Queued
from services.common.events.outbox import publish_queued
from services.workflow.jobs import statement
from services.workflow.jobs.exceptions import JobClosed, MalformedVersion, StaleVersion
from services.workflow.jobs.models import Job

# A version as a client may send it back: bare, or as an ETag (quoted, or weak: W/"3").
_VERSION = re.compile(r'(?:W/"([0-9]{1,9})"|"([0-9]{1,9})"|([0-9]{1,9}))')


def parse_version(header: str | None) -> int | None:
    """The version an If-Match header names (`7`, `"7"` or `W/"7"`), None when absent."""
    if header is None:
        return None
    match = _VERSION.fullmatch(header.strip())
    if match is None:
        raise MalformedVersion("If-Match must carry the job's version, as in `If-Match: 3`.")
    return int(next(group for group in match.groups() if group is not None))


def etag(job: Job) -> str:
    """The ETag of a job's current version."""
    return f'"{job.version}"'


async def claim(session: AsyncSession, job: Job, *, expected: int | None) -> None:
    """Take the job for a change at version `expected` (409 when it is not), or at whatever version it is now.

    With `expected`, the change's own UPDATE takes the job: it carries `WHERE version = expected` (the
    mapper's version column) and `settle` turns a miss into 409, so exactly one of two changes made from the
    same version wins, in one statement. Without it, the version is bumped here first: the UPDATE holds the
    row until commit, so a change that waited is applied to the job as the earlier one left it.
    """
    if expected is not None:
        if expected != job.version:
            raise StaleVersion(f"The job is at version {job.version}, not {expected}.", version=job.version)
        job.version = expected + 1
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


async def settle(session: AsyncSession, job: Job, events: Sequence[Queued], tables: EventTables) -> None:
    """Write the change and its events' outbox rows now; 409 when another change of the job committed after
    it was read. On PostgreSQL the whole change is one statement (`statement.write`), elsewhere a flush.
    """
    read = job.version - 1  # taken now: after a failed flush the job's attributes are expired
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        if not await statement.write(session, job, events, tables.outbox):
            raise StaleVersion(f"The job changed after version {read}; read it again.")
        return
    try:
        await session.flush()
    except StaleDataError as exc:
        raise StaleVersion(f"The job changed after version {read}; read it again.") from exc
    for event in events:
        await publish_queued(session, tables, event)


def require_open(job: Job) -> None:
    """409 if the job is connected or withdrawn."""
    if not job.is_open:
        raise JobClosed(f"The job is {job.status}; it takes no further changes.", job_status=job.status)
