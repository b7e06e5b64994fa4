"""staff directory: the grid companies' staff and managers, kept from intake's account.staff_changed

Revision ID: 2c6a8e4f9b17
Revises: 3c8e5a1f7b92
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2c6a8e4f9b17"
down_revision: str | None = "3c8e5a1f7b92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled by events: staff made before intake announced accounts arrive with
    # `zerovisit users publish-directory`, run once against intake.
    op.create_table(
        "staff_member",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("grid_company", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member")),
    )
    op.create_index("ix_staff_member_grid_company_username", "staff_member", ["grid_company", "username"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_staff_member_grid_company_username", table_name="staff_member")
    op.drop_table("staff_member")
