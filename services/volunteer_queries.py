"""Volunteers picked by a coordinator's filter: the /volunteers list and a broadcast's
recipients are the same question, asked here once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.engine import offloading
from db.meeting_models import Attendance, Rsvp
from db.models import (
    HelpRequest,
    Offer,
    RequestEvent,
    User,
    Volunteer,
    VolunteerDistrict,
    VolunteerLanguage,
    VolunteerSkill,
)
from matching.status import INACTIVE_DAYS, RequestStatus, Standing, VolunteerStatus
from services.events import EventKind


@dataclass(frozen=True)
class VolunteerFilter:
    """None is any; the standing is one of a few (approved, Lotsen, paused, …)."""

    skill: str | None = None
    district: str | None = None
    language: str | None = None
    standing: Standing = Standing.APPROVED


@dataclass(frozen=True)
class VolunteerLine:
    """One volunteer in a list: enough for a button, nothing more."""

    user_id: int
    first_name: str
    status: VolunteerStatus
    is_lotse: bool
    paused: bool
    reachable: bool


def _active_since(since: datetime) -> ColumnElement[bool]:
    """The volunteer answered an offer or a meeting question, or came to a meeting, since."""
    answered = exists().where(Offer.volunteer_id == Volunteer.user_id, Offer.answered_at >= since)
    rsvp = exists().where(Rsvp.volunteer_id == Volunteer.user_id, Rsvp.answered_at >= since)
    came = exists().where(
        Attendance.volunteer_id == Volunteer.user_id,
        Attendance.attended.is_(True),
        Attendance.occurrence >= since,
    )
    return answered | rsvp | came


def _standing(standing: Standing, now: datetime) -> list[ColumnElement[bool]]:
    approved = Volunteer.status == VolunteerStatus.APPROVED
    since = now - timedelta(days=INACTIVE_DAYS)
    return {
        Standing.APPROVED: [approved],
        Standing.LOTSE: [approved, Volunteer.is_lotse.is_(True)],
        Standing.PAUSED: [approved, Volunteer.paused.is_(True)],
        Standing.PENDING: [Volunteer.status == VolunteerStatus.PENDING],
        Standing.UNREACHABLE: [approved, User.reachable.is_(False)],
        Standing.INACTIVE: [approved, Volunteer.created_at <= since, ~_active_since(since)],
        Standing.BANNED: [Volunteer.status == VolunteerStatus.BANNED],
    }[standing]


def _matching(f: VolunteerFilter, now: datetime, *columns: Any) -> Select[Any]:
    query = (
        select(*columns)
        .select_from(Volunteer)
        .join(User, User.id == Volunteer.user_id)
        .where(*_standing(f.standing, now))
    )
    if f.skill is not None:
        query = query.where(
            exists().where(
                VolunteerSkill.user_id == Volunteer.user_id, VolunteerSkill.skill == f.skill
            )
        )
    if f.district is not None:
        query = query.where(
            exists().where(
                VolunteerDistrict.user_id == Volunteer.user_id,
                VolunteerDistrict.district == f.district,
            )
        )
    if f.language is not None:
        query = query.where(
            exists().where(
                VolunteerLanguage.user_id == Volunteer.user_id,
                VolunteerLanguage.language == f.language,
            )
        )
    return query


@offloading
async def count_volunteers(session: AsyncSession, f: VolunteerFilter, *, now: datetime) -> int:
    return await session.scalar(_matching(f, now, func.count())) or 0


@offloading
async def volunteer_ids(session: AsyncSession, f: VolunteerFilter, *, now: datetime) -> list[int]:
    """Everyone the filter picks, in a stable order (a broadcast's recipients)."""
    ids = await session.scalars(_matching(f, now, Volunteer.user_id).order_by(Volunteer.user_id))
    return list(ids)


@offloading
async def volunteer_page(
    session: AsyncSession, f: VolunteerFilter, *, now: datetime, page: int, per_page: int = 8
) -> list[VolunteerLine]:
    """One page of the filter's volunteers, by name (then id, so pages never overlap)."""
    rows = await session.execute(
        _matching(
            f,
            now,
            Volunteer.user_id,
            User.first_name,
            Volunteer.status,
            Volunteer.is_lotse,
            Volunteer.paused,
            User.reachable,
        )
        .order_by(func.lower(User.first_name), Volunteer.user_id)
        .offset(page * per_page)
        .limit(per_page)
    )
    return [VolunteerLine(*row) for row in rows]


@dataclass(frozen=True)
class Activity:
    """A volunteer's record, counted from what is stored:

    - offers: requests offered to them (one offer row per request and volunteer, so a request
      asked again after a release counts once);
    - accepted: offers they accepted (request_events ACCEPTED by them, also those released
      later; an assignment by a coordinator is not counted);
    - done: requests they finished (status done, with them as the assignee);
    - released: requests they gave back themselves (request_events RELEASED by them; a ban's
      release is a VOLUNTEER_BANNED event and not counted);
    - meetings: meeting dates a coordinator marked them present at (attendance)."""

    offers: int
    accepted: int
    done: int
    released: int
    meetings: int


def _events_by(user_id: int, kind: EventKind) -> Select[Any]:
    return select(func.count()).where(RequestEvent.actor_id == user_id, RequestEvent.kind == kind)


@offloading
async def volunteer_activity(session: AsyncSession, user_id: int) -> Activity:
    offers = select(func.count()).where(Offer.volunteer_id == user_id)
    done = select(func.count()).where(
        HelpRequest.assignee_id == user_id, HelpRequest.status == RequestStatus.DONE
    )
    came = select(func.count()).where(
        Attendance.volunteer_id == user_id, Attendance.attended.is_(True)
    )
    row = (
        await session.execute(
            select(
                offers.scalar_subquery(),
                _events_by(user_id, EventKind.ACCEPTED).scalar_subquery(),
                done.scalar_subquery(),
                _events_by(user_id, EventKind.RELEASED).scalar_subquery(),
                came.scalar_subquery(),
            )
        )
    ).one()
    return Activity(*(int(n or 0) for n in row))
