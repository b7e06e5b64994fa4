"""case file: the case's address, contact and documents for the job's company

Revision ID: 7f2b9c4e1a60
Revises: 7a4e2b9c1d35
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7f2b9c4e1a60"
down_revision: str | None = "7a4e2b9c1d35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_file",
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("grid_company", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=False),
        sa.Column("customer_type", sa.String(length=32), nullable=False),
        sa.Column("business_type", sa.String(length=32), nullable=False),
        sa.Column("capacity_kva", sa.String(length=32), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_case_file")),
    )


def downgrade() -> None:
    op.drop_table("case_file")
