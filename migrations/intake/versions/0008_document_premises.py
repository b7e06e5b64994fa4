"""document.bound_region, document.bound_address: the premises a document was first relied on for

Revision ID: 4b7e2c9d1f08
Revises: 7d3a9f12c6e8
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b7e2c9d1f08"
down_revision: str | None = "7d3a9f12c6e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The premises of the earliest application that relied on each document, as the submission used to look
# them up for every document of every request.
_BACKFILL = """
    UPDATE document SET
    bound_region = (
        SELECT a.region FROM application_document AS l JOIN application AS a ON a.id = l.application_id
        WHERE l.document_id = document.id ORDER BY a.submitted_at, a.id LIMIT 1),
    bound_address = (
        SELECT a.address FROM application_document AS l JOIN application AS a ON a.id = l.application_id
        WHERE l.document_id = document.id ORDER BY a.submitted_at, a.id LIMIT 1)
"""


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("bound_region", sa.String(6), nullable=True))
        batch.add_column(sa.Column("bound_address", sa.String(500), nullable=True))
    op.execute(_BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("bound_address")
        batch.drop_column("bound_region")
