"""roles and audit: the coordinators table and the audit log of admin actions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = (
    "volunteer_approved",
    "volunteer_rejected",
    "lotse_set",
    "lotse_unset",
    "request_assigned",
    "request_extended",
    "request_closed",
    "escalated_now",
    "coordinator_added",
    "coordinator_removed",
    "meeting_created",
    "meeting_edited",
    "meeting_paused",
    "meeting_resumed",
    "meeting_skipped",
    "meeting_deleted",
    "attendance_marked",
)


def upgrade() -> None:
    op.create_table(
        "coordinators",
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_coordinators")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(*ACTIONS, name="auditaction", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("target_user_id", sa.BigInteger(), nullable=True),
        sa.Column("target_request_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("coordinators")
