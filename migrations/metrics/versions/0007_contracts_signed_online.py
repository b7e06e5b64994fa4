"""contracts signed online: on the case facts, counted in the rollups

Revision ID: 8f1cd7ab5c9a
Revises: 8a2f6c9d1e43
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8f1cd7ab5c9a"
down_revision: str | None = "8a2f6c9d1e43"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No fact has a signature yet: every bucket's count starts at 0, as a rebuild would write it.
    op.add_column("case_fact", sa.Column("contract_signed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("rollup", sa.Column("signed_online_count", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("rollup") as batch:
        batch.drop_column("signed_online_count")
    with op.batch_alter_table("case_fact") as batch:
        batch.drop_column("contract_signed_at")
