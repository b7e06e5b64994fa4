"""outbox commits notify listening relays (PostgreSQL)

Revision ID: a6f2b9c4d803
Revises: e08bd99c992b
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from services.common.events.listener import install_notify_trigger, remove_notify_trigger

revision: str = "a6f2b9c4d803"
down_revision: str | None = "e08bd99c992b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    install_notify_trigger(op)


def downgrade() -> None:
    remove_notify_trigger(op)
