"""The case as the field app reads it on a job."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class CaseDocumentRead(BaseModel):
    """A document of the case; its file is downloaded from intake (`GET /api/v1/documents/{id}/content`)."""

    id: str
    type: str
    number: str
    valid_until: date | None


class CaseRead(BaseModel):
    """Where to go, whom to call and what the customer supplied: all a visit needs."""

    address: str
    contact_name: str
    contact_phone: str
    customer_type: str
    business_type: str
    capacity_kva: Decimal
    documents: list[CaseDocumentRead]
