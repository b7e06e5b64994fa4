"""application.important_customer

Revision ID: 3c1f9a7d2e60
Revises: c41e0d7a3b21
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1f9a7d2e60"
down_revision: str | None = "c41e0d7a3b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every case before this column was judged as an ordinary customer's.
    op.add_column(
        "application", sa.Column("important_customer", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("application") as batch:
        batch.drop_column("important_customer")
