"""A case's address, contact and documents, kept for the field staff of the job's company."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import Address, CaseId, GridCompanyCode, PhoneNumber, RuleCode, UtcTimestamp
from services.workflow.db import Base


class CaseFile(Base):
    """What field staff need for a visit; keyed by application, so it may arrive before or after the job."""

    __tablename__ = "case_file"

    application_id: Mapped[CaseId] = mapped_column(primary_key=True)
    grid_company: Mapped[GridCompanyCode]
    address: Mapped[Address]
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_phone: Mapped[PhoneNumber]
    customer_type: Mapped[RuleCode]
    business_type: Mapped[RuleCode]
    capacity_kva: Mapped[str] = mapped_column(String(32))
    # [{"id", "type", "number", "valid_until"}]: the documents the case relies on, as intake holds them.
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    shared_at: Mapped[UtcTimestamp]
