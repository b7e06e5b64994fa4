"""supply contracts: made when a case is accepted, signed online by the applicant

Revision ID: bca78d5bc8cc
Revises: 4b8e2d6f1a93
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bca78d5bc8cc"
down_revision: str | None = "4b8e2d6f1a93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supply_contract",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("signer_id", sa.String(length=36), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_supply_contract_application_id_application")
        ),
        sa.ForeignKeyConstraint(["signer_id"], ["account.id"], name=op.f("fk_supply_contract_signer_id_account")),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_supply_contract")),
    )


def downgrade() -> None:
    op.drop_table("supply_contract")
