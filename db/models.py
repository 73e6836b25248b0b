"""SQLAlchemy 2 models. Dialect-neutral: the same schema runs on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from db.privacy import Erase, Kind, not_personal, person_id, personal, text_of
from matching.status import OfferStatus, Priority, RequestStatus, VolunteerStatus, WhenKind

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every dialect (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# On SQLite only INTEGER PRIMARY KEY is the rowid itself; BIGINT would add a second index to
# every lookup by Telegram id. SQLite's INTEGER holds 64 bits, so nothing is lost.
TelegramId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
    }


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings (no native enum type) so migrations stay simple on both dialects.
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNREACHABLE = "unreachable"
    EXPIRED = "expired"  # stale before it could go out (expires_at passed)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(
        TelegramId, primary_key=True, autoincrement=False, info=person_id(gone=True)
    )
    first_name: Mapped[str] = mapped_column(String(128), default="", info=personal(Kind.NAME))
    username: Mapped[str | None] = mapped_column(String(64), info=personal(Kind.USERNAME))
    language_code: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(8))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Volunteer(Base):
    __tablename__ = "volunteers"

    user_id: Mapped[int] = mapped_column(
        TelegramId,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
        info=personal(Kind.ID),
    )
    status: Mapped[VolunteerStatus] = mapped_column(_enum(VolunteerStatus))
    is_lotse: Mapped[bool] = mapped_column(Boolean, default=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[date | None] = mapped_column(Date)
    # Quiet hours as minutes after local midnight; a window may wrap past midnight.
    quiet_start: Mapped[int | None] = mapped_column(Integer)
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    last_offer_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger, info=personal(Kind.ID))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # The last "Stay", and when a year's silence was asked about (services/privacy/retention).
    active_at: Mapped[datetime | None]
    stay_asked_at: Mapped[datetime | None]


def _volunteer_link() -> Any:
    """The volunteer a row of their profile belongs to; it goes when they are erased."""
    return mapped_column(
        BigInteger,
        ForeignKey("volunteers.user_id", ondelete="CASCADE"),
        primary_key=True,
        info=person_id(gone=True),
    )


class VolunteerSkill(Base):
    __tablename__ = "volunteer_skills"
    __table_args__ = (Index("ix_volunteer_skills_skill_user", "skill", "user_id"),)

    user_id: Mapped[int] = _volunteer_link()
    skill: Mapped[str] = mapped_column(String(32), primary_key=True)


class VolunteerDistrict(Base):
    __tablename__ = "volunteer_districts"
    __table_args__ = (Index("ix_volunteer_districts_district_user", "district", "user_id"),)

    user_id: Mapped[int] = _volunteer_link()
    district: Mapped[str] = mapped_column(String(32), primary_key=True)


class VolunteerLanguage(Base):
    __tablename__ = "volunteer_languages"

    user_id: Mapped[int] = _volunteer_link()
    language: Mapped[str] = mapped_column(String(8), primary_key=True)


class VolunteerReach(Base):
    """Who can be asked for what, where, in which language: the product of a volunteer's skills,
    districts and languages, kept in step by services.volunteers.save_profile. Its key answers
    the most frequent question, "speakers of L with skill S in district D", with one range scan
    instead of joining three link tables over thousands of rows."""

    __tablename__ = "volunteer_reach"

    skill: Mapped[str] = mapped_column(String(32), primary_key=True)
    district: Mapped[str] = mapped_column(String(32), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    user_id: Mapped[int] = _volunteer_link()


class HelpRequest(Base):
    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_status_next_step", "status", "next_step_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(12), unique=True)
    seeker_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id"), index=True, info=personal(Kind.ID)
    )
    skill: Mapped[str] = mapped_column(String(32))
    district: Mapped[str] = mapped_column(String(32))
    when_kind: Mapped[WhenKind] = mapped_column(_enum(WhenKind))
    when_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, info=personal(Kind.TEXT, owner="seeker_id"))
    language: Mapped[str] = mapped_column(String(8))
    consent: Mapped[bool] = mapped_column(Boolean)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus), index=True)
    assignee_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id"), index=True, info=personal(Kind.ID)
    )
    # The escalation policy frozen at creation, and where the request stands in it.
    policy: Mapped[dict[str, Any]] = mapped_column(info=not_personal())  # numbers only
    tier: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)
    next_step_at: Mapped[datetime | None]
    # Counts every step taken; names the messages a step sends (outbox dedupe keys).
    steps_run: Mapped[int] = mapped_column(Integer, default=0)
    # A coordinator's words about the seeker's request.
    close_reason: Mapped[str | None] = mapped_column(Text, info=text_of("seeker_id"))
    # The seeker's form that made this request: a second submit of the same form finds it.
    draft_key: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("request_id", "volunteer_id"),
        Index("ix_offers_volunteer_created", "volunteer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), info=person_id())
    status: Mapped[OfferStatus] = mapped_column(_enum(OfferStatus))
    tier: Mapped[int] = mapped_column(Integer, default=0)
    # An offer withdrawn when someone else accepted can be made again after a release.
    round: Mapped[int] = mapped_column(Integer, default=0)
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]


class RequestEvent(Base):
    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(BigInteger, info=personal(Kind.ID))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, info=personal(Kind.JSON))


class OutboxMessage(Base):
    """A message to send, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "not_before"),
        # A broadcast's progress: its rows counted by status from the index alone.
        Index("ix_outbox_broadcast_status", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True, info=personal(Kind.KEY))
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True, info=person_id(gone=True))
    # What to say, rendered in the reader's locale at send time (see handlers/views/notices.py).
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(info=personal(Kind.JSON))
    # For edits: the outbox row whose sent message is to be edited.
    edit_of: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[int] = mapped_column(SmallInteger, default=Priority.NOTICE, server_default="2")
    not_before: Mapped[datetime]
    # Past this moment the message is no use any more (a reminder for a meeting that began).
    expires_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text, info=not_personal())  # Telegram's words
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # A broadcast's message to one recipient (db/broadcast_models.py); None for all others.
    broadcast_id: Mapped[int | None] = mapped_column(Integer)


class FsmRecord(Base):
    __tablename__ = "fsm_state"

    # "bot:chat:user:destiny": a conversation's state goes with its person.
    key: Mapped[str] = mapped_column(
        String(200), primary_key=True, info=personal(Kind.KEY, erase=Erase.DELETE)
    )
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, info=personal(Kind.JSON))


class ProcessedUpdate(Base):
    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]


# The meeting tables live in their own module; importing it here registers them on Base.
from db import broadcast_models as broadcast_models  # noqa: E402
from db import consent_models as consent_models  # noqa: E402
from db import meeting_models as meeting_models  # noqa: E402
from db import role_models as role_models  # noqa: E402
