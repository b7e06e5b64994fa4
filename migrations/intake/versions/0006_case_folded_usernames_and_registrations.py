"""case-folded usernames; registration attempts per client

Revision ID: 9c4d1e7a2b60
Revises: 3c1f9a7d2e60
Create Date: 2026-12-02

Usernames are case folded from now on (`Alice` and `alice` are one account). Each existing username is
folded in place, unless another account already holds the folded spelling or an older account of the same
folded spelling takes it: such an account keeps its own spelling and still signs in with it exactly.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c4d1e7a2b60"
down_revision: str | None = "3c1f9a7d2e60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client", sa.String(length=32), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
    )
    op.create_index("ix_registration_client_registered_at", "registration", ["client", "registered_at"])
    op.create_index(op.f("ix_registration_registered_at"), "registration", ["registered_at"])
    _fold_usernames()


def _fold_usernames() -> None:
    connection = op.get_bind()
    account = sa.table("account", sa.column("id", sa.String), sa.column("username", sa.String),
                       sa.column("created_at", sa.DateTime))  # fmt: skip
    rows = connection.execute(sa.select(account.c.id, account.c.username).order_by(account.c.created_at, account.c.id))
    taken = set()
    pending = []
    for account_id, username in rows.all():
        taken.add(username)
        if username != username.casefold():
            pending.append((account_id, username.casefold()))
    for account_id, folded in pending:  # oldest first: the oldest of a folded spelling gets it
        if folded not in taken:
            taken.add(folded)
            connection.execute(sa.update(account).where(account.c.id == account_id).values(username=folded))


def downgrade() -> None:
    # Folded usernames stay folded: the spelling each had before is not kept.
    op.drop_index(op.f("ix_registration_registered_at"), table_name="registration")
    op.drop_index("ix_registration_client_registered_at", table_name="registration")
    op.drop_table("registration")
