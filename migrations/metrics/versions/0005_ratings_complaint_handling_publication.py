"""ratings in rollups, complaint handling, published reports, temporary connections index

Revision ID: 5e1d0a7c3b21
Revises: 2d8b5e1f7c94
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1d0a7c3b21"
down_revision: str | None = "2d8b5e1f7c94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Ratings already on the facts, added to the rollup buckets they are counted in (as a rebuild would).
_BACKFILL = """
UPDATE rollup SET
  evaluated_count = (
    SELECT count(f.evaluation_score) FROM case_fact f
    WHERE f.counted AND f.connected_month = rollup.month AND f.report_category = rollup.report_category
      AND f.grid_company = rollup.grid_company AND substr(f.region, 1, rollup.level) = rollup.region),
  sum_evaluation = (
    SELECT coalesce(sum(f.evaluation_score), 0) FROM case_fact f
    WHERE f.counted AND f.connected_month = rollup.month AND f.report_category = rollup.report_category
      AND f.grid_company = rollup.grid_company AND substr(f.region, 1, rollup.level) = rollup.region)
"""


def upgrade() -> None:
    op.add_column("rollup", sa.Column("evaluated_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column("rollup", sa.Column("sum_evaluation", sa.BigInteger(), server_default="0", nullable=False))
    op.execute(_BACKFILL)
    op.add_column("complaint", sa.Column("status", sa.String(length=16), server_default="received", nullable=False))
    op.add_column("complaint", sa.Column("resolution", sa.Text(), nullable=True))
    op.add_column("complaint", sa.Column("handled_by", sa.String(length=64), nullable=True))
    op.add_column("complaint", sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_case_fact_temporary_connected_on",
        "case_fact",
        ["connected_on"],
        postgresql_where=sa.text("business_type = 'temporary'"),
        sqlite_where=sa.text("business_type = 'temporary'"),
    )
    op.create_table(
        "published_report",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("period", "version", name=op.f("pk_published_report")),
    )


def downgrade() -> None:
    op.drop_table("published_report")
    op.drop_index("ix_case_fact_temporary_connected_on", table_name="case_fact")
    with op.batch_alter_table("complaint") as batch:
        for column in ("handled_at", "handled_by", "resolution", "status"):
            batch.drop_column(column)
    with op.batch_alter_table("rollup") as batch:
        batch.drop_column("sum_evaluation")
        batch.drop_column("evaluated_count")
