"""outbox commits notify listening relays (PostgreSQL)

Revision ID: 3d1c0a7e52f1
Revises: 8b7fe56804b4
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from services.common.events.listener import install_notify_trigger, remove_notify_trigger

revision: str = "3d1c0a7e52f1"
down_revision: str | None = "8b7fe56804b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    install_notify_trigger(op)


def downgrade() -> None:
    remove_notify_trigger(op)
