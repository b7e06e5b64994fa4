"""index inbox_event by received_at, for pruning

Revision ID: 7fd8069ed447
Revises: 5e0b7d2c91a4
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7fd8069ed447"
down_revision: str | None = "5e0b7d2c91a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_inbox_event_received_at"), "inbox_event", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_event_received_at"), table_name="inbox_event")
