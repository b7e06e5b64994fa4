"""index application_document by document

Revision ID: 5e0b7d2c91a4
Revises: 8b7fe56804b4
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5e0b7d2c91a4"
down_revision: str | None = "8b7fe56804b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_application_document_document_id"), "application_document", ["document_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_application_document_document_id"), table_name="application_document")
