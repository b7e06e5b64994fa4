"""Applications and the documents they used."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import (
    Address,
    GridCompanyCode,
    PhoneNumber,
    RegionCode,
    RuleCode,
    RuleSetId,
    UtcTimestamp,
    UuidText,
)
from services.intake.db import Base


class Application(Base):
    """An application for connection, with the rule set and deadlines fixed at submission."""

    __tablename__ = "application"
    __table_args__ = (Index("ix_application_owner_submitted", "owner_id", "submitted_at"),)

    id: Mapped[UuidText] = mapped_column(primary_key=True, default=lambda: str(uuid.uuid4()))
    number: Mapped[str] = mapped_column(String(32), unique=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    status: Mapped[str] = mapped_column(String(16))
    customer_type: Mapped[RuleCode]
    small_micro: Mapped[bool]
    business_type: Mapped[RuleCode]
    capacity_kva: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    dual_supply: Mapped[bool]
    important_customer: Mapped[bool] = mapped_column(default=False)
    region: Mapped[RegionCode]
    address: Mapped[Address]
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[PhoneNumber]
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[RuleCode]
    access_voltage: Mapped[str] = mapped_column(String(8))
    zero_investment: Mapped[bool]
    grid_company: Mapped[GridCompanyCode]
    rule_set: Mapped[RuleSetId]
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    required_documents: Mapped[list[str]] = mapped_column(JSON)
    due_on: Mapped[date]
    due_on_provisional: Mapped[bool]
    submitted_at: Mapped[UtcTimestamp]
    progress: Mapped[dict[str, Any]] = mapped_column(JSON)
    withdrawn_at: Mapped[UtcTimestamp | None]
    connected_at: Mapped[UtcTimestamp | None]
    evaluation_score: Mapped[int | None]
    evaluation_comment: Mapped[str | None] = mapped_column(Text)
    evaluated_at: Mapped[UtcTimestamp | None]


class ApplicationDocument(Base):
    """A document that an application relies on, and whether it was supplied now or reused from file."""

    __tablename__ = "application_document"

    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), primary_key=True)
    # Indexed on its own too: applying asks whether an earlier application relied on a document.
    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), primary_key=True, index=True)
    type: Mapped[RuleCode]
    reused: Mapped[bool]
