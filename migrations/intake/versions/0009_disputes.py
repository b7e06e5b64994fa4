"""disputes: the applicant's word against a visit or fee recorded on the case

Revision ID: 3b6e8d0f4a17
Revises: 4b7e2c9d1f08
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b6e8d0f4a17"
down_revision: str | None = "4b7e2c9d1f08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dispute",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("record", sa.String(length=8), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["account.id"], name=op.f("fk_dispute_owner_id_account")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_dispute_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
    )
    op.create_index(
        "uq_dispute_open_record",
        "dispute",
        ["application_id", "record", "record_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("uq_dispute_open_record", table_name="dispute")
    op.drop_table("dispute")
