"""contractor licences and the contractor of a job

Revision ID: 7a4e2b9c1d35
Revises: d5964028a916
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a4e2b9c1d35"
down_revision: str | None = "d5964028a916"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contractor_licence",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("licence_class", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_contractor_licence")),
    )
    op.add_column("job", sa.Column("contractor_licence_number", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.drop_column("contractor_licence_number")
    op.drop_table("contractor_licence")
