"""Documents on file: each stored once by content, owned by one applicant."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcDateTime
from services.intake.db import Base


class Document(Base):
    """An uploaded document: its type, number, validity and where its bytes are."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_owner_type", "owner_id", "type"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    owner_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    type: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(64))
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The premises of the first application that relied on it: a property document counts for those alone.
    # Set once, by that submission, and never changed.
    bound_region: Mapped[str | None] = mapped_column(String(6), nullable=True)
    bound_address: Mapped[str | None] = mapped_column(String(500), nullable=True)

    def is_valid_on(self, day: date) -> bool:
        """Whether the document's validity has not ended on a day."""
        return self.valid_until is None or self.valid_until >= day
