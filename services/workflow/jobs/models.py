"""Jobs, their steps, pauses, fees and visits, and the audit chain of every change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from services.common.db import UtcDateTime
from services.workflow.db import Base
from services.workflow.evidence.models import JobEvidence

IN_PROGRESS, PAUSED, CONNECTED, WITHDRAWN = "in_progress", "paused", "connected", "withdrawn"
OPEN_STATUSES = (IN_PROGRESS, PAUSED)


class Job(Base):
    """A grid company's handling of one application; `version` changes with every change."""

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint(f"status IN ('{IN_PROGRESS}', '{PAUSED}', '{CONNECTED}', '{WITHDRAWN}')", name="status"),
        Index("ix_job_grid_company_status_due_on", "grid_company", "status", "due_on"),
        Index("ix_job_grid_company_submitted_at", "grid_company", "submitted_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    grid_company: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(12))
    rule_set: Mapped[str] = mapped_column(String(64))
    current_step: Mapped[str | None] = mapped_column(String(32))
    # The current step's due date, kept here so that lists filter and sort on one table.
    due_on: Mapped[date | None] = mapped_column(Date)
    # Whether the current step was already past due when the clock stopped (read while paused).
    paused_while_overdue: Mapped[bool] = mapped_column(Boolean)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    # The customer's contractor on a high-voltage job, by licence number; checked at completion inspection.
    contractor_licence_number: Mapped[str | None] = mapped_column(String(64))
    paused_working_days: Mapped[int] = mapped_column(Integer)
    # The supply contract as the applicant signed it online in intake: when, and the SHA-256 of its PDF.
    contract_signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    contract_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    connected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer)
    # The head of the audit chain: an entry removed from the end is noticed against these.
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The UPDATE of a change carries `WHERE version = <as read>` and fails when another change got there
        # first; the version itself is set by the change (concurrency.claim), never by the ORM.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}

    steps: Mapped[list[JobStep]] = relationship(
        order_by="JobStep.position", lazy="selectin", cascade="all, delete-orphan"
    )
    pauses: Mapped[list[JobPause]] = relationship(
        order_by="JobPause.audit_seq", lazy="selectin", cascade="all, delete-orphan"
    )
    fees: Mapped[list[JobFee]] = relationship(
        order_by="JobFee.audit_seq", lazy="selectin", cascade="all, delete-orphan"
    )
    visits: Mapped[list[JobVisit]] = relationship(
        order_by="JobVisit.audit_seq", lazy="selectin", cascade="all, delete-orphan"
    )
    # Read with the job where a change needs it (queries.get); written only through the evidence domain.
    evidence: Mapped[list[JobEvidence]] = relationship(order_by="JobEvidence.audit_seq", lazy="raise", viewonly=True)

    @property
    def current(self) -> JobStep | None:
        """The step being worked on; None once the job is closed."""
        return next((step for step in self.steps if step.code == self.current_step), None)

    @property
    def open_pause(self) -> JobPause | None:
        """The pause that has not ended, if the job is paused."""
        return next((pause for pause in reversed(self.pauses) if pause.ended_at is None), None)

    @property
    def is_open(self) -> bool:
        """Whether the job still takes changes."""
        return self.status in OPEN_STATUSES


class JobStep(Base):
    """A step of the rule set, with its clock: started, due, completed, elapsed working days."""

    __tablename__ = "job_step"

    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    limit_working_days: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_on: Mapped[date | None] = mapped_column(Date)
    due_on_provisional: Mapped[bool] = mapped_column(Boolean)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(128))
    elapsed_working_days: Mapped[int | None] = mapped_column(Integer)
    paused_working_days: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[bool] = mapped_column(Boolean)
    # What the field engineer recorded on completing the step: a note, and at connection the meter fitted.
    note: Mapped[str | None] = mapped_column(String(500))
    meter_number: Mapped[str | None] = mapped_column(String(32))
    meter_reading: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class JobPause(Base):
    """A stop of the clock for a reason outside the grid company's hands."""

    __tablename__ = "job_pause"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"), index=True)
    audit_seq: Mapped[int] = mapped_column(Integer)  # the audit entry that recorded it, which orders them
    step_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_by: Mapped[str] = mapped_column(String(128))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(128))
    working_days: Mapped[int | None] = mapped_column(Integer)


class JobFee(Base):
    """Money charged for the connection, in yuan; a customer fee where zero investment applies is flagged."""

    __tablename__ = "job_fee"
    __table_args__ = (CheckConstraint("payer IN ('customer', 'grid')", name="payer"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"), index=True)
    audit_seq: Mapped[int] = mapped_column(Integer)  # the audit entry that recorded it, which orders them
    code: Mapped[str] = mapped_column(String(64))
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    payer: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    flagged: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(128))


class JobVisit(Base):
    """A trip the customer had to make to an office."""

    __tablename__ = "job_visit"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"), index=True)
    audit_seq: Mapped[int] = mapped_column(Integer)  # the audit entry that recorded it, which orders them
    visited_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(200))
    over_allowance: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(128))


class AuditEntry(Base):
    """One change to a job, chained to the one before it by hash."""

    __tablename__ = "audit_entry"

    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    # Never read; it tells the unit of work to write a change's job UPDATE, which checks the version, before
    # its entry: of two changes made from one version, the loser then fails on the version, not on (job, seq).
    job: Mapped[Job] = relationship(lazy="raise")
