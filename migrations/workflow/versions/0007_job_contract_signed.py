"""job: the supply contract as the applicant signed it online

Revision ID: 47550b174681
Revises: 2c6a8e4f9b17
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "47550b174681"
down_revision: str | None = "2c6a8e4f9b17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("job", sa.Column("contract_signed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("job", sa.Column("contract_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.drop_column("contract_sha256")
        batch.drop_column("contract_signed_at")
