"""account.active, deactivated_at and directory_revision: accounts can be deactivated, staff are announced

Revision ID: 4b8e2d6f1a93
Revises: b4e8c2d17a95
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b8e2d6f1a93"
down_revision: str | None = "b4e8c2d17a95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every account made before this column stays able to sign in. Staff made before it reach workflow's
    # directory with `zerovisit users publish-directory`, run once by an operator after this migration.
    # Plain ADD COLUMN, not a batch: on SQLite a batch copies the table, which the documents and applications
    # that refer to an account forbid once there are any.
    op.add_column("account", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("account", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("account", sa.Column("directory_revision", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_column("directory_revision")
        batch.drop_column("deactivated_at")
        batch.drop_column("active")
