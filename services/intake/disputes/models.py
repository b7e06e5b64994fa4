"""A dispute of a visit or fee, as the applicant raised it."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UtcTimestamp, UuidText, partial_index
from services.intake.db import Base

OPEN = "open"


class Dispute(Base):
    """The applicant's word that a recorded visit or fee is wrong; the reason stays here, never in metrics."""

    __tablename__ = "dispute"
    __table_args__ = (
        # One open dispute per record: the database holds it, so two requests racing cannot both open one.
        partial_index(
            "uq_dispute_open_record", "application_id", "record", "record_id", where="status = 'open'", unique=True
        ),
    )

    id: Mapped[UuidText] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"))
    owner_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    record: Mapped[str] = mapped_column(String(8))
    record_id: Mapped[UuidText]
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[UtcTimestamp]
