"""index inbox_event by received_at, for pruning

Revision ID: d5964028a916
Revises: e08bd99c992b
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d5964028a916"
down_revision: str | None = "e08bd99c992b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_inbox_event_received_at"), "inbox_event", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_event_received_at"), table_name="inbox_event")
