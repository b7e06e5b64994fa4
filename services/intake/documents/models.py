"""Documents on file: each stored once by content, owned by one applicant."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import Address, MediaType, RegionCode, RuleCode, Sha256Hex, UtcTimestamp, UuidText
from services.intake.db import Base


class Document(Base):
    """An uploaded document: its type, number, validity and where its bytes are."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_owner_type", "owner_id", "type"),)

    id: Mapped[UuidText] = mapped_column(primary_key=True, default=lambda: str(uuid.uuid4()))
    owner_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    type: Mapped[RuleCode]
    number: Mapped[str] = mapped_column(String(64))
    valid_until: Mapped[date | None]
    sha256: Mapped[Sha256Hex]
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[MediaType]
    uploaded_at: Mapped[UtcTimestamp]
    # The premises of the first application that relied on it: a property document counts for those alone.
    # Set once, by that submission, and never changed.
    bound_region: Mapped[RegionCode | None]
    bound_address: Mapped[Address | None]

    def is_valid_on(self, day: date) -> bool:
        """Whether the document's validity has not ended on a day."""
        return self.valid_until is None or self.valid_until >= day
