"""messages owed to applicants (SMS, push) and the daily due-soon / overdue reminders

Revision ID: b4e8c2d17a95
Revises: 3b6e8d0f4a17
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4e8c2d17a95"
down_revision: str | None = "3b6e8d0f4a17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outgoing_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_outgoing_message_account_id_account")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_outgoing_message_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"], ["notification.id"], name=op.f("fk_outgoing_message_notification_id_notification")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_message")),
    )
    op.create_index(
        "ix_outgoing_message_status_next_attempt_at", "outgoing_message", ["status", "next_attempt_at"], unique=False
    )
    op.create_index(
        "ix_outgoing_message_application_channel",
        "outgoing_message",
        ["application_id", "channel", "status"],
        unique=False,
    )
    op.create_index(op.f("ix_outgoing_message_notification_id"), "outgoing_message", ["notification_id"], unique=False)
    op.create_table(
        "reminder",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reminded_on", sa.Date(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_reminder_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"], ["notification.id"], name=op.f("fk_reminder_notification_id_notification")
        ),
        sa.PrimaryKeyConstraint("application_id", "kind", "reminded_on", name=op.f("pk_reminder")),
    )
    op.create_table(
        "reminder_check",
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_soon", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("checked_on", name=op.f("pk_reminder_check")),
    )


def downgrade() -> None:
    op.drop_table("reminder_check")
    op.drop_table("reminder")
    op.drop_index(op.f("ix_outgoing_message_notification_id"), table_name="outgoing_message")
    op.drop_index("ix_outgoing_message_application_channel", table_name="outgoing_message")
    op.drop_index("ix_outgoing_message_status_next_attempt_at", table_name="outgoing_message")
    op.drop_table("outgoing_message")
