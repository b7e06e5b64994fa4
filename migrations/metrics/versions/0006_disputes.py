"""disputes: which recorded visit or fee of which case an applicant disputed, and when

Revision ID: 8a2f6c9d1e43
Revises: 5e1d0a7c3b21
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8a2f6c9d1e43"
down_revision: str | None = "5e1d0a7c3b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dispute",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("record", sa.String(length=8), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("grid_company", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("record_on", sa.Date(), nullable=False),
        sa.Column("disputed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disputed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
    )
    op.create_index("ix_dispute_disputed_on", "dispute", ["disputed_on"], unique=False)
    op.create_index("ix_dispute_case_id", "dispute", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dispute_case_id", table_name="dispute")
    op.drop_index("ix_dispute_disputed_on", table_name="dispute")
    op.drop_table("dispute")
