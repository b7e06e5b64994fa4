"""case facts open cases rollups complaints events

Revision ID: 9c4f26792b5b
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c4f26792b5b"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_fact",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("report_category", sa.String(length=32), nullable=True),
        sa.Column("business_type", sa.String(length=32), nullable=True),
        sa.Column("grid_company", sa.String(length=32), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("rule_set", sa.String(length=64), nullable=True),
        sa.Column("zero_investment", sa.Boolean(), nullable=True),
        sa.Column("allowed_visits", sa.Integer(), nullable=True),
        sa.Column("total_limit_working_days", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("case_due_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("current_step", sa.String(length=32), nullable=True),
        sa.Column("paused_on", sa.Date(), nullable=True),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("connected_on", sa.Date(), nullable=True),
        sa.Column("connected_month", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=True),
        sa.Column("reported_working_days", sa.Integer(), nullable=True),
        sa.Column("paused_working_days", sa.Integer(), nullable=False),
        sa.Column("longest_pause_working_days", sa.Integer(), nullable=False),
        sa.Column("step_count", sa.Integer(), nullable=True),
        sa.Column("overdue_steps", sa.Integer(), nullable=False),
        sa.Column("documents_supplied", sa.Integer(), nullable=True),
        sa.Column("documents_reused", sa.Integer(), nullable=True),
        sa.Column("customer_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("flagged_fees", sa.Integer(), nullable=False),
        sa.Column("flagged_fee_yuan", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("within_limit", sa.Boolean(), nullable=True),
        sa.Column("reported_within_limit", sa.Boolean(), nullable=True),
        sa.Column("evaluation_score", sa.Integer(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("visit_log", sa.JSON(), nullable=False),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_fact")),
        sa.UniqueConstraint("grid_company", "external_id", name="uq_case_fact_grid_company_external_id"),
    )
    with op.batch_alter_table("case_fact", schema=None) as batch_op:
        batch_op.create_index("ix_case_fact_connected_on", ["connected_on"], unique=False)

    op.create_table(
        "complaint",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("grid_company", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_received_on", ["received_on"], unique=False)

    op.create_table(
        "inbox_event",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox_event")),
    )
    op.create_table(
        "open_case",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("report_category", sa.String(length=32), nullable=True),
        sa.Column("grid_company", sa.String(length=32), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("paused_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_case")),
    )
    with op.batch_alter_table("open_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open_case_due_on"), ["due_on"], unique=False)

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

    op.create_table(
        "rollup",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("report_category", sa.String(length=32), nullable=False),
        sa.Column("grid_company", sa.String(length=32), nullable=False),
        sa.Column("connected_count", sa.Integer(), nullable=False),
        sa.Column("sum_working_days", sa.BigInteger(), nullable=False),
        sa.Column("sum_steps", sa.BigInteger(), nullable=False),
        sa.Column("sum_documents", sa.BigInteger(), nullable=False),
        sa.Column("sum_customer_cost", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("within_limit_count", sa.Integer(), nullable=False),
        sa.Column("zero_visit_count", sa.Integer(), nullable=False),
        sa.Column("online_count", sa.Integer(), nullable=False),
        sa.Column("sum_paused_working_days", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("level", "region", "month", "report_category", "grid_company", name=op.f("pk_rollup")),
    )
    op.create_table(
        "rollup_histogram",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("report_category", sa.String(length=32), nullable=False),
        sa.Column("grid_company", sa.String(length=32), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "level",
            "region",
            "month",
            "report_category",
            "grid_company",
            "working_days",
            name=op.f("pk_rollup_histogram"),
        ),
    )


def downgrade() -> None:
    op.drop_table("rollup_histogram")
    op.drop_table("rollup")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_subscriber_status_seq")
        batch_op.drop_index("ix_outbox_message_subscriber_case_key_seq")

    op.drop_table("outbox_message")
    with op.batch_alter_table("open_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open_case_due_on"))

    op.drop_table("open_case")
    op.drop_table("inbox_event")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_received_on")

    op.drop_table("complaint")
    with op.batch_alter_table("case_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_case_fact_connected_on")

    op.drop_table("case_fact")
