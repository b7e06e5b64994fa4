"""evidence: files from the site on a job, and the engineer's record of a completed step

Revision ID: 3c8e5a1f7b92
Revises: 7f2b9c4e1a60
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c8e5a1f7b92"
down_revision: str | None = "7f2b9c4e1a60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_evidence",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("step_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint(
            "kind IN ('site_photo', 'meter_photo', 'signed_form', 'inspection_report')",
            name=op.f("ck_job_evidence_kind"),
        ),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_job_evidence_job_id_job")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_evidence")),
    )
    op.create_index("ix_job_evidence_job_id_step_code", "job_evidence", ["job_id", "step_code"])
    with op.batch_alter_table("job_step") as batch:
        batch.add_column(sa.Column("note", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("meter_number", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("meter_reading", sa.Numeric(precision=12, scale=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_step") as batch:
        batch.drop_column("meter_reading")
        batch.drop_column("meter_number")
        batch.drop_column("note")
    op.drop_index("ix_job_evidence_job_id_step_code", table_name="job_evidence")
    op.drop_table("job_evidence")
