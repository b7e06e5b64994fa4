"""case_fact.unlicensed_contractor

Revision ID: 2d8b5e1f7c94
Revises: 7d2a9e61f0c8
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2d8b5e1f7c94"
down_revision: str | None = "7d2a9e61f0c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "case_fact", sa.Column("unlicensed_contractor", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("case_fact") as batch:
        batch.drop_column("unlicensed_contractor")
