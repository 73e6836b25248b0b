"""consents: each person's answer to the privacy notice

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Empty: people who used the bot before the notice existed are asked at their next message.
    op.create_table(
        "consents",
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "choice",
            sa.Enum("agreed", "declined", name="consent", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_consents")),
    )


def downgrade() -> None:
    op.drop_table("consents")
