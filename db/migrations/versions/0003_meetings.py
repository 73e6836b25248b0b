"""meetings: weekly meetings and events, answers, attendance, reminder logs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("weekly", "once", name="meetingkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("weekday", sa.SmallInteger(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column(
            "audience",
            sa.Enum(
                "all",
                "lotsen",
                "districts",
                "skills",
                name="audience",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("audience_values", sa.JSON(), nullable=False),
        sa.Column("reminder_offsets", sa.JSON(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_table(
        "attendance",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.DateTime(timezone=True), nullable=False),
        sa.Column("volunteer_id", sa.BigInteger(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_attendance_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "meeting_id", "occurrence", "volunteer_id", name=op.f("pk_attendance")
        ),
    )
    op.create_table(
        "meeting_optout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.BigInteger(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_optout_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_optout")),
    )
    with op.batch_alter_table("meeting_optout", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_optout_volunteer_id"), ["volunteer_id"], unique=False
        )

    op.create_table(
        "meeting_skips",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_skips_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "date", name=op.f("pk_meeting_skips")),
    )
    op.create_table(
        "reminder_log",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("volunteer_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_reminder_log_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "meeting_id",
            "occurrence",
            "offset_minutes",
            "volunteer_id",
            name=op.f("pk_reminder_log"),
        ),
    )
    op.create_table(
        "rsvps",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.DateTime(timezone=True), nullable=False),
        sa.Column("volunteer_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum("yes", "no", name="rsvpanswer", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_rsvps_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "occurrence", "volunteer_id", name=op.f("pk_rsvps")),
    )
    op.create_table(
        "assignment_reminders",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_assignment_reminders_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "person_id", name=op.f("pk_assignment_reminders")),
    )


def downgrade() -> None:
    op.drop_table("assignment_reminders")
    op.drop_table("rsvps")
    op.drop_table("reminder_log")
    op.drop_table("meeting_skips")
    with op.batch_alter_table("meeting_optout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_optout_volunteer_id"))

    op.drop_table("meeting_optout")
    op.drop_table("attendance")
    op.drop_table("meetings")
