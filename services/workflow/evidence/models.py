"""Evidence on file for a job's step: a file stored by SHA-256, where and when it was taken, who uploaded it."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import MediaType, RuleCode, Sha256Hex, UtcTimestamp, UuidText
from services.common.rules import EVIDENCE_KINDS
from services.workflow.db import Base


class JobEvidence(Base):
    """One file brought back from the site for a step of a job; its upload is an entry of the audit chain."""

    __tablename__ = "job_evidence"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{kind}'" for kind in EVIDENCE_KINDS) + ")", name="kind"),
        Index("ix_job_evidence_job_id_step_code", "job_id", "step_code"),
    )

    id: Mapped[UuidText] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"))
    audit_seq: Mapped[int]  # the audit entry that recorded the upload, which orders them
    step_code: Mapped[RuleCode]
    kind: Mapped[RuleCode]
    sha256: Mapped[Sha256Hex]
    media_type: Mapped[MediaType]
    size: Mapped[int] = mapped_column(BigInteger)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # As the device says; checked against the server's clock, never trusted to be later than it.
    taken_at: Mapped[UtcTimestamp | None]
    uploaded_at: Mapped[UtcTimestamp]
    uploaded_by: Mapped[str] = mapped_column(String(128))
