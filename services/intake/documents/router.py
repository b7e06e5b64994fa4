"""Document upload and retrieval for applicants."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import StringConstraints

from services.common import downloads
from services.common.clock import CurrentClock, local_date
from services.common.db import DbSession
from services.common.errors import problem_responses
from services.common.rules.models import DocumentType
from services.common.state import CurrentRules
from services.intake.access import AUTH_ERRORS, Applicant, CaseReach
from services.intake.documents import service as document_service
from services.intake.documents.exceptions import (
    DocumentNotFound,
    FileTooLarge,
    UnsupportedFile,
    UploadQuotaExceeded,
    ValidityRequired,
)
from services.intake.documents.models import Document
from services.intake.documents.schemas import DocumentPage, DocumentRead
from services.intake.identity.exceptions import AccountNotFound
from services.intake.state import Settings

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])

DocumentNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


async def _owned_document(document_id: str, session: DbSession, applicant: Applicant) -> Document:
    return await document_service.get_for_owner(session, owner_id=applicant.subject, document_id=document_id)


OwnedDocument = Annotated[Document, Depends(_owned_document)]


async def _readable_document(document_id: str, session: DbSession, reach: CaseReach) -> Document:
    return await document_service.get_readable(session, reach=reach, document_id=document_id)


ReadableDocument = Annotated[Document, Depends(_readable_document)]


def document_read(document: Document) -> DocumentRead:
    """The public view of a document."""
    return DocumentRead.model_validate(document, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentRead,
    responses=problem_responses(
        *AUTH_ERRORS, AccountNotFound, FileTooLarge, UnsupportedFile, ValidityRequired, UploadQuotaExceeded
    ),
    description="Upload a document once; it is reused for every later application while it is valid. An "
    "applicant may upload `INTAKE_UPLOADS_PER_APPLICANT_PER_DAY` documents in any 24 hours (429 past it).",
)
async def upload_document(
    session: DbSession,
    settings: Settings,
    rules: CurrentRules,
    applicant: Applicant,
    clock: CurrentClock,
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG; judged by content")],
    type: Annotated[DocumentType, Form()],
    number: Annotated[DocumentNumber, Form()],
    valid_until: Annotated[date | None, Form()] = None,
) -> DocumentRead:
    """Upload a document once; it is reused for every later application while it is valid."""
    today = local_date(clock.now())
    rule_set = rules.in_force_on(today)
    if valid_until is None and type in rule_set.expiring_document_types:
        raise ValidityRequired(f"A {type} carries a validity end date; send it as valid_until.", field="valid_until")
    if valid_until is not None and valid_until < today:
        raise ValidityRequired("This document's validity has already ended.", field="valid_until")
    document = await document_service.upload(
        session,
        owner_id=applicant.subject,
        source=file.file,
        directory=settings.documents_dir,
        max_bytes=settings.upload_max_bytes,
        type=type,
        number=number,
        valid_until=valid_until,
        now=clock.now(),
        per_day=settings.uploads_per_applicant_per_day,
    )
    return document_read(document)


@router.get("", response_model=DocumentPage, responses=problem_responses(*AUTH_ERRORS))
async def list_documents(session: DbSession, applicant: Applicant) -> DocumentPage:
    """The caller's documents on file."""
    documents = await document_service.list_for_owner(session, owner_id=applicant.subject)
    return DocumentPage(items=[document_read(d) for d in documents])


@router.get("/{document_id}", response_model=DocumentRead, responses=problem_responses(*AUTH_ERRORS, DocumentNotFound))
async def read_document(document: OwnedDocument) -> DocumentRead:
    """One of the caller's documents."""
    return document_read(document)


@router.get(
    "/{document_id}/content",
    response_class=FileResponse,
    responses=downloads.responses(*AUTH_ERRORS, DocumentNotFound),
)
async def download_document(settings: Settings, document: ReadableDocument) -> FileResponse:
    """The file of one of the caller's documents; staff and managers download those of their company's cases."""
    return downloads.stored_file(
        settings.documents_dir,
        document.sha256,
        media_type=document.media_type,
        name=f"{document.type}-{document.id}",
        missing=DocumentNotFound("The file of this document is missing from the store."),
    )
