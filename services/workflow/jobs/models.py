"""Jobs, their steps, pauses, fees and visits, and the audit chain of every change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from services.common.db import (
    CaseId,
    GridCompanyCode,
    RuleCode,
    RuleSetId,
    Sha256Hex,
    UtcTimestamp,
    UuidText,
)
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

    id: Mapped[UuidText] = mapped_column(primary_key=True)
    application_id: Mapped[CaseId] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(String(16))
    category: Mapped[RuleCode]
    grid_company: Mapped[GridCompanyCode]
    region: Mapped[str] = mapped_column(String(12))
    rule_set: Mapped[RuleSetId]
    current_step: Mapped[RuleCode | None]
    # The current step's due date, kept here so that lists filter and sort on one table.
    due_on: Mapped[date | None]
    # Whether the current step was already past due when the clock stopped (read while paused).
    paused_while_overdue: Mapped[bool]
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    # The customer's contractor on a high-voltage job, by licence number; checked at completion inspection.
    contractor_licence_number: Mapped[str | None] = mapped_column(String(64))
    paused_working_days: Mapped[int]
    # The supply contract as the applicant signed it online in intake: when, and the SHA-256 of its PDF.
    contract_signed_at: Mapped[UtcTimestamp | None]
    contract_sha256: Mapped[Sha256Hex | None]
    submitted_at: Mapped[UtcTimestamp]
    connected_at: Mapped[UtcTimestamp | None]
    withdrawn_at: Mapped[UtcTimestamp | None]
    version: Mapped[int]
    # The head of the audit chain: an entry removed from the end is noticed against these.
    audit_seq: Mapped[int]
    audit_hash: Mapped[Sha256Hex]

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
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[RuleCode]
    name: Mapped[str] = mapped_column(String(200))
    limit_working_days: Mapped[int]
    started_at: Mapped[UtcTimestamp | None]
    due_on: Mapped[date | None]
    due_on_provisional: Mapped[bool]
    completed_at: Mapped[UtcTimestamp | None]
    completed_by: Mapped[str | None] = mapped_column(String(128))
    elapsed_working_days: Mapped[int | None]
    paused_working_days: Mapped[int]
    overdue: Mapped[bool]
    # What the field engineer recorded on completing the step: a note, and at connection the meter fitted.
    note: Mapped[str | None] = mapped_column(String(500))
    meter_number: Mapped[str | None] = mapped_column(String(32))
    meter_reading: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class JobRecord:
    """What a pause, fee or visit of a job begins with: its id, its job, and the audit entry that recorded it."""

    # First in the table, as a mixin's columns would otherwise follow the table's own.
    id: Mapped[UuidText] = mapped_column(primary_key=True, sort_order=-1)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"), index=True, sort_order=-1)
    # The audit entry that recorded it, which orders them.
    audit_seq: Mapped[int] = mapped_column(sort_order=-1)


class JobPause(JobRecord, Base):
    """A stop of the clock for a reason outside the grid company's hands."""

    __tablename__ = "job_pause"

    step_code: Mapped[RuleCode]
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[UtcTimestamp]
    started_by: Mapped[str] = mapped_column(String(128))
    ended_at: Mapped[UtcTimestamp | None]
    ended_by: Mapped[str | None] = mapped_column(String(128))
    working_days: Mapped[int | None]


class JobFee(JobRecord, Base):
    """Money charged for the connection, in yuan; a customer fee where zero investment applies is flagged."""

    __tablename__ = "job_fee"
    __table_args__ = (CheckConstraint("payer IN ('customer', 'grid')", name="payer"),)

    code: Mapped[str] = mapped_column(String(64))
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    payer: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    flagged: Mapped[bool]
    recorded_at: Mapped[UtcTimestamp]
    recorded_by: Mapped[str] = mapped_column(String(128))


class JobVisit(JobRecord, Base):
    """A trip the customer had to make to an office."""

    __tablename__ = "job_visit"

    visited_on: Mapped[date]
    purpose: Mapped[str] = mapped_column(String(200))
    over_allowance: Mapped[bool]
    recorded_at: Mapped[UtcTimestamp]
    recorded_by: Mapped[str] = mapped_column(String(128))


class AuditEntry(Base):
    """One change to a job, chained to the one before it by hash."""

    __tablename__ = "audit_entry"

    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[UtcTimestamp]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[Sha256Hex]
    hash: Mapped[Sha256Hex]

    # Never read; it tells the unit of work to write a change's job UPDATE, which checks the version, before
    # its entry: of two changes made from one version, the loser then fails on the version, not on (job, seq).
    job: Mapped[Job] = relationship(lazy="raise")
