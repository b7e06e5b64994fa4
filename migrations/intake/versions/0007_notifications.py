"""notification tables: the applicant's inbox and choice of channels

Revision ID: 7d3a9f12c6e8
Revises: 9c4d1e7a2b60
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d3a9f12c6e8"
down_revision: str | None = "9c4d1e7a2b60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_notification_account_id_account")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_notification_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("event_id", name=op.f("uq_notification_event_id")),
    )
    op.create_index("ix_notification_account_read", "notification", ["account_id", "read_at"], unique=False)
    op.create_table(
        "notification_preference",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.Column("push", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_notification_preference_account_id_account")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_notification_preference")),
    )


def downgrade() -> None:
    op.drop_table("notification_preference")
    op.drop_index("ix_notification_account_read", table_name="notification")
    op.drop_table("notification")
