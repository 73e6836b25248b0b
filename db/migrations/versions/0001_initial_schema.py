"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 10:44:33.457428
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fsm_state",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_fsm_state")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=128), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("edit_of", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                "cancelled",
                "unreachable",
                name="outboxstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index("ix_outbox_status_due", ["status", "not_before"], unique=False)

    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    op.create_table(
        "users",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("first_name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("language_code", sa.String(length=16), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=12), nullable=False),
        sa.Column("seeker_id", sa.BigInteger(), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column(
            "when_kind",
            sa.Enum(
                "today", "week", "date", "flexible", name="whenkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("when_date", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "assigned",
                "done",
                "cancelled",
                "closed",
                name="requeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("steps_run", sa.Integer(), nullable=False),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_requests_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["seeker_id"], ["users.id"], name=op.f("fk_requests_seeker_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("ref", name=op.f("uq_requests_ref")),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requests_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_seeker_id"), ["seeker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_requests_status_next_step", ["status", "next_step_at"], unique=False
        )

    op.create_table(
        "volunteers",
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "banned",
                name="volunteerstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("is_lotse", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("quiet_start", sa.Integer(), nullable=True),
        sa.Column("quiet_end", sa.Integer(), nullable=True),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("last_offer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_volunteers")),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "withdrawn",
                "released",
                name="offerstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_offers_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["users.id"], name=op.f("fk_offers_volunteer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("request_id", "volunteer_id", name=op.f("uq_offers_request_id")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offers_volunteer_created", ["volunteer_id", "created_at"], unique=False
        )

    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_events_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_events")),
    )
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_events_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "volunteer_districts",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["volunteers.user_id"],
            name=op.f("fk_volunteer_districts_user_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "district", name=op.f("pk_volunteer_districts")),
    )
    with op.batch_alter_table("volunteer_districts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_volunteer_districts_district_user", ["district", "user_id"], unique=False
        )

    op.create_table(
        "volunteer_languages",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["volunteers.user_id"],
            name=op.f("fk_volunteer_languages_user_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "language", name=op.f("pk_volunteer_languages")),
    )
    op.create_table(
        "volunteer_reach",
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["volunteers.user_id"],
            name=op.f("fk_volunteer_reach_user_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "skill", "district", "language", "user_id", name=op.f("pk_volunteer_reach")
        ),
    )
    op.create_table(
        "volunteer_skills",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("skill", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["volunteers.user_id"],
            name=op.f("fk_volunteer_skills_user_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "skill", name=op.f("pk_volunteer_skills")),
    )
    with op.batch_alter_table("volunteer_skills", schema=None) as batch_op:
        batch_op.create_index("ix_volunteer_skills_skill_user", ["skill", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("volunteer_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_skills_skill_user")

    op.drop_table("volunteer_skills")
    op.drop_table("volunteer_reach")
    op.drop_table("volunteer_languages")
    with op.batch_alter_table("volunteer_districts", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_districts_district_user")

    op.drop_table("volunteer_districts")
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_events_request_id"))

    op.drop_table("request_events")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index("ix_offers_volunteer_created")

    op.drop_table("offers")
    op.drop_table("volunteers")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_status_next_step")
        batch_op.drop_index(batch_op.f("ix_requests_status"))
        batch_op.drop_index(batch_op.f("ix_requests_seeker_id"))
        batch_op.drop_index(batch_op.f("ix_requests_assignee_id"))

    op.drop_table("requests")
    op.drop_table("users")
    op.drop_table("processed_updates")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_due")
        batch_op.drop_index(batch_op.f("ix_outbox_chat_id"))

    op.drop_table("outbox")
    op.drop_table("fsm_state")
