"""Document bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import get_args

from pydantic import BaseModel

from services.common.rules.models import DocumentType

DOCUMENT_TYPES: tuple[str, ...] = get_args(DocumentType)


class DocumentRead(BaseModel):
    """A document on file."""

    id: str
    type: DocumentType
    number: str
    valid_until: date | None
    sha256: str
    size: int
    media_type: str
    uploaded_at: datetime


class DocumentPage(BaseModel):
    """The caller's documents."""

    items: list[DocumentRead]
