"""Applications and the documents they used."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcDateTime
from services.intake.db import Base


class Application(Base):
    """An application for connection, with the rule set and deadlines fixed at submission."""

    __tablename__ = "application"
    __table_args__ = (Index("ix_application_owner_submitted", "owner_id", "submitted_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    number: Mapped[str] = mapped_column(String(32), unique=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    status: Mapped[str] = mapped_column(String(16))
    customer_type: Mapped[str] = mapped_column(String(32))
    small_micro: Mapped[bool] = mapped_column(Boolean)
    business_type: Mapped[str] = mapped_column(String(32))
    capacity_kva: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    dual_supply: Mapped[bool] = mapped_column(Boolean)
    region: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(500))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    access_voltage: Mapped[str] = mapped_column(String(8))
    zero_investment: Mapped[bool] = mapped_column(Boolean)
    grid_company: Mapped[str] = mapped_column(String(32))
    rule_set: Mapped[str] = mapped_column(String(64))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    required_documents: Mapped[list[str]] = mapped_column(JSON)
    due_on: Mapped[date] = mapped_column(Date)
    due_on_provisional: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    connected_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    evaluation_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    evaluation_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    evaluated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ApplicationDocument(Base):
    """A document that an application relies on, and whether it was supplied now or reused from file."""

    __tablename__ = "application_document"

    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), primary_key=True)
    # Indexed on its own too: applying asks whether an earlier application relied on a document.
    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), primary_key=True, index=True)
    type: Mapped[str] = mapped_column(String(32))
    reused: Mapped[bool] = mapped_column(Boolean)
