"""drop outbox_message (metrics publishes nothing); index inbox_event by received_at, for pruning

Revision ID: 01ae1e12583d
Revises: 9c4f26792b5b
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "01ae1e12583d"
down_revision: str | None = "9c4f26792b5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_subscriber_status_seq")
        batch_op.drop_index("ix_outbox_message_subscriber_case_key_seq")
    op.drop_table("outbox_message")
    op.create_index(op.f("ix_inbox_event_received_at"), "inbox_event", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_event_received_at"), table_name="inbox_event")
    op.create_table(
        "outbox_message",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("subscriber", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("case_key", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'parked')", name=op.f("ck_outbox_message_status")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("event_id", "subscriber", name=op.f("uq_outbox_message_event_id")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_message_subscriber_case_key_seq", ["subscriber", "case_key", "seq"], unique=False
        )
        batch_op.create_index("ix_outbox_message_subscriber_status_seq", ["subscriber", "status", "seq"], unique=False)
