"""account.active, deactivated_at and directory_revision: accounts can be deactivated, staff are announced

Revision ID: 4b8e2d6f1a93
Revises: 7d3a9f12c6e8
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b8e2d6f1a93"
down_revision: str | None = "7d3a9f12c6e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every account made before this column stays able to sign in. Staff made before it reach workflow's
    # directory with `zerovisit users publish-directory`, run once by an operator after this migration.
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("directory_revision", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_column("directory_revision")
        batch.drop_column("deactivated_at")
        batch.drop_column("active")
