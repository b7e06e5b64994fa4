"""Document bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

DocumentType = Literal[
    "id_card",
    "business_license",
    "property_certificate",
    "lease_contract",
    "authorization_letter",
    "load_calculation",
    "construction_permit",
    "equipment_list",
    "project_approval",
    "commitment_letter",  # 承诺书: a resident's signed promise standing in for a property document (一证办电)
]
DOCUMENT_TYPES: tuple[str, ...] = DocumentType.__args__  # type: ignore[attr-defined]


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
