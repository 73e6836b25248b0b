"""Meetings and events, their answers, attendance and the reminder log (imported by
db/models.py, so the metadata and Alembic see them)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, _enum
from db.privacy import Erase, Kind, not_personal, personal
from matching.status import Audience, MeetingKind, RsvpAnswer


class MeetingRow(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A meeting's title and place are the coordinators' words for everybody, about nobody.
    title: Mapped[str] = mapped_column(String(200), info=not_personal())
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind))
    weekday: Mapped[int | None] = mapped_column(SmallInteger)  # 0 is Monday
    date: Mapped[date | None] = mapped_column(Date)
    local_time: Mapped[time] = mapped_column(Time)
    tz: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(Text, info=not_personal())
    audience: Mapped[Audience] = mapped_column(_enum(Audience))
    # Districts or skills when the audience is a part of the volunteers.
    audience_values: Mapped[list[str]] = mapped_column(JSON, default=list, info=not_personal())
    # minutes before the start
    reminder_offsets: Mapped[list[int]] = mapped_column(JSON, info=not_personal())
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int] = mapped_column(BigInteger, info=personal(Kind.ID))
    created_at: Mapped[datetime]


def _meeting_fk() -> Any:
    return mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)


class MeetingSkip(Base):
    __tablename__ = "meeting_skips"

    meeting_id: Mapped[int] = _meeting_fk()
    date: Mapped[date] = mapped_column(Date, primary_key=True)


class Rsvp(Base):
    __tablename__ = "rsvps"

    meeting_id: Mapped[int] = _meeting_fk()
    occurrence: Mapped[datetime] = mapped_column(primary_key=True)  # its start, UTC
    volunteer_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, info=personal(Kind.ID, erase=Erase.DELETE)
    )
    answer: Mapped[RsvpAnswer] = mapped_column(_enum(RsvpAnswer))
    answered_at: Mapped[datetime]


class ReminderLog(Base):
    """A reminder claimed for one person: the key makes it go out once, across restarts and
    processes. Offset SKIP_NOTICE (-1) is the notice that an occurrence is skipped."""

    __tablename__ = "reminder_log"

    meeting_id: Mapped[int] = _meeting_fk()
    occurrence: Mapped[datetime] = mapped_column(primary_key=True)
    offset_minutes: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    volunteer_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, info=personal(Kind.ID, erase=Erase.DELETE)
    )
    at: Mapped[datetime]


class Attendance(Base):
    __tablename__ = "attendance"

    meeting_id: Mapped[int] = _meeting_fk()
    occurrence: Mapped[datetime] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, info=personal(Kind.ID))
    attended: Mapped[bool] = mapped_column(Boolean)


class MeetingOptout(Base):
    """A volunteer who wants no reminders of one meeting, or (meeting_id NULL) of any."""

    __tablename__ = "meeting_optout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        BigInteger, index=True, info=personal(Kind.ID, erase=Erase.DELETE)
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))


class AssignmentReminder(Base):
    """The evening-before reminder of a dated request, claimed once per person."""

    __tablename__ = "assignment_reminders"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, info=personal(Kind.ID, erase=Erase.DELETE)
    )
    at: Mapped[datetime]
