"""nationwide buckets of all companies, rollup keys led by the company; open cases counted by due date (open_due)

Revision ID: 3c7e91b0d2f4
Revises: 8f1cd7ab5c9a
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c7e91b0d2f4"
down_revision: str | None = "8f1cd7ab5c9a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUMS = (
    "connected_count",
    "sum_working_days",
    "sum_steps",
    "sum_documents",
    "sum_customer_cost",
    "within_limit_count",
    "zero_visit_count",
    "online_count",
    "sum_paused_working_days",
    "evaluated_count",
    "sum_evaluation",
    "signed_online_count",
)
LEVELS = (0, 2, 4, 6)
# Primary keys: one level, region and company, then the months (in the index, a query's rows side by side).
OLD_KEY = ("level", "region", "month", "report_category", "grid_company")
NEW_KEY = ("level", "region", "grid_company", "month", "report_category")


def _rekey(key: tuple[str, ...]) -> None:
    for table, extra in (("rollup", ()), ("rollup_histogram", ("working_days",))):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", [*key, *extra])


def upgrade() -> None:
    op.create_table(
        "open_due",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("report_category", sa.String(length=32), nullable=False),
        sa.Column("grid_company", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "region", "grid_company", "due_on", "report_category", name="pk_open_due"),
    )
    op.create_index(
        "ix_open_due_emptied",
        "open_due",
        ["level"],
        postgresql_where=sa.text("count = 0"),
        sqlite_where=sa.text("count = 0"),
    )
    _rekey(NEW_KEY)
    # What a rebuild would write: the nation's buckets of every company added up, from the companies' own ...
    sums = ", ".join(SUMS)
    op.execute(
        f"INSERT INTO rollup (level, region, month, report_category, grid_company, {sums}) "  # noqa: S608 - fixed names
        f"SELECT 0, '', month, report_category, '', {', '.join(f'sum({name})' for name in SUMS)} "
        "FROM rollup WHERE level = 0 GROUP BY month, report_category"
    )
    op.execute(
        "INSERT INTO rollup_histogram (level, region, month, report_category, grid_company, working_days, count) "
        "SELECT 0, '', month, report_category, '', working_days, sum(count) "
        "FROM rollup_histogram WHERE level = 0 GROUP BY month, report_category, working_days"
    )
    # ... and the open cases that can be overdue, by due date, as services.metrics.facts.open_cases.share counts.
    countable = (
        "report_category IS NOT NULL AND grid_company IS NOT NULL AND region IS NOT NULL "
        "AND (paused_on IS NULL OR due_on < paused_on)"
    )
    for level in LEVELS:
        region = f"substr(region, 1, {level})"
        op.execute(
            "INSERT INTO open_due (level, region, due_on, report_category, grid_company, count) "  # noqa: S608
            f"SELECT {level}, {region}, due_on, report_category, grid_company, count(*) FROM open_case "
            f"WHERE {countable} GROUP BY {region}, due_on, report_category, grid_company"
        )
    op.execute(
        "INSERT INTO open_due (level, region, due_on, report_category, grid_company, count) "  # noqa: S608
        f"SELECT 0, '', due_on, report_category, '', count(*) FROM open_case "
        f"WHERE {countable} GROUP BY due_on, report_category"
    )


def downgrade() -> None:
    op.execute("DELETE FROM rollup_histogram WHERE level = 0 AND grid_company = ''")
    op.execute("DELETE FROM rollup WHERE level = 0 AND grid_company = ''")
    op.drop_table("open_due")
    _rekey(OLD_KEY)
