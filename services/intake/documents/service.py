"""Documents on file: upload once, list, read, and find the still-valid ones for reuse."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import anyio
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import files
from services.intake import ownership
from services.intake.access import Reach
from services.intake.applications.models import Application, ApplicationDocument
from services.intake.documents.exceptions import DocumentNotFound, UploadQuotaExceeded
from services.intake.documents.models import Document
from services.intake.identity.exceptions import AccountNotFound
from services.intake.identity.models import Account

UPLOAD_WINDOW = timedelta(days=1)


async def check_upload_quota(session: AsyncSession, *, owner_id: str, per_day: int, now: datetime) -> None:
    """429 when the owner has uploaded `per_day` documents in the last 24 hours (0: no quota)."""
    if per_day <= 0:
        return
    # Lock the owner's account row until commit first (on SQLite: the database's write lock), so that uploads
    # sent at once are counted one after another and cannot all pass the count.
    await session.execute(update(Account).where(Account.id == owner_id).values(id=Account.id))
    count = await session.scalar(
        select(func.count())
        .select_from(Document)
        .where(Document.owner_id == owner_id, Document.uploaded_at > now - UPLOAD_WINDOW)
    )
    if (count or 0) >= per_day:
        raise UploadQuotaExceeded(
            f"At most {per_day} uploads in 24 hours; try again later.", headers={"Retry-After": "3600"}
        )


async def upload(
    session: AsyncSession,
    *,
    owner_id: str,
    source: BinaryIO,
    directory: Path,
    max_bytes: int,
    type: str,
    number: str,
    valid_until: date | None,
    now: datetime,
    per_day: int = 0,
) -> Document:
    """Store the file by content and record the document for its owner, within the owner's daily quota."""
    if await session.get(Account, owner_id) is None:
        raise AccountNotFound("The account of this token no longer exists.")
    await check_upload_quota(session, owner_id=owner_id, per_day=per_day, now=now)
    stored = await anyio.to_thread.run_sync(lambda: files.store(source, directory, max_bytes=max_bytes))
    document = Document(
        owner_id=owner_id,
        type=type,
        number=number,
        valid_until=valid_until,
        sha256=stored.sha256,
        size=stored.size,
        media_type=stored.media_type,
        uploaded_at=now,
    )
    session.add(document)
    await session.flush()
    return document


async def list_for_owner(session: AsyncSession, *, owner_id: str) -> Sequence[Document]:
    """The owner's documents, newest first."""
    result = await session.scalars(
        select(Document).where(Document.owner_id == owner_id).order_by(Document.uploaded_at.desc(), Document.id)
    )
    return result.all()


async def get_for_owner(session: AsyncSession, *, owner_id: str, document_id: str) -> Document:
    """One of the owner's documents; someone else's is as absent as a missing one."""
    missing = DocumentNotFound(f"No document {document_id}.")
    return await ownership.get_owned(session, Document, document_id, owner_id=owner_id, missing=missing)


async def get_readable(session: AsyncSession, *, reach: Reach, document_id: str) -> Document:
    """A document the caller owns, or one its grid company's cases rely on; any other is as absent as a missing one."""
    relied_on_by_company = (
        select(ApplicationDocument.document_id)
        .join(Application, Application.id == ApplicationDocument.application_id)
        .where(ApplicationDocument.document_id == Document.id, Application.grid_company == reach.grid_company)
        .exists()
    )
    query = select(Document).where(
        Document.id == document_id, (Document.owner_id == reach.owner_id) | relied_on_by_company
    )
    document = await session.scalar(query)
    if document is None:
        raise DocumentNotFound(f"No document {document_id}.")
    return document
