"""What coordinators look at: requests in progress, a request's history, volunteers waiting for
approval, a volunteer's card, and whom a request could be assigned to by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

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
from matching.clock import local_now
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.volunteer_queries import Activity, volunteer_activity
from services.volunteers import Profile, get_profile


@dataclass(frozen=True)
class VolunteerCard:
    user: User
    volunteer: Volunteer
    profile: Profile
    offers_7d: int
    open_assignments: int
    activity: Activity


@dataclass(frozen=True)
class Assignable:
    """A volunteer a coordinator may assign a request to, with what speaks for them."""

    user_id: int
    name: str
    is_lotse: bool
    in_district: bool
    speaks: bool
    declined: bool


@dataclass(frozen=True)
class InProgress:
    request: HelpRequest
    assignee_name: str | None


async def requests_in_progress(
    session: AsyncSession, status: RequestStatus, *, limit: int = 40
) -> list[InProgress]:
    rows = await session.execute(
        select(HelpRequest, User.first_name)
        .outerjoin(User, User.id == HelpRequest.assignee_id)
        .where(HelpRequest.status == status)
        .order_by(HelpRequest.created_at, HelpRequest.id)
        .limit(limit)
    )
    return [InProgress(request, name) for request, name in rows]


async def history(session: AsyncSession, request_id: int) -> list[dict[str, Any]]:
    """The request's events in the form the escalation notice carries them."""
    events = await session.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.at, RequestEvent.id)
    )
    return [{"at": e.at.isoformat(), "kind": e.kind, "data": e.data} for e in events]


async def volunteer_card(
    session: AsyncSession, user_id: int, *, now: datetime
) -> VolunteerCard | None:
    row = (
        await session.execute(
            select(User, Volunteer)
            .join(Volunteer, Volunteer.user_id == User.id)
            .where(User.id == user_id)
        )
    ).first()
    if row is None:
        return None
    user, volunteer = row
    offers, assigned = await _workload(session, user_id, now=now)
    profile = await get_profile(session, user_id)
    activity = await volunteer_activity(session, user_id)
    return VolunteerCard(user, volunteer, profile, offers, assigned, activity)


async def _workload(session: AsyncSession, user_id: int, *, now: datetime) -> tuple[int, int]:
    """How many offers the volunteer had in 7 days, and how many requests they hold now."""
    offers = await session.scalar(
        select(func.count()).where(
            Offer.volunteer_id == user_id, Offer.created_at >= now - timedelta(days=7)
        )
    )
    assigned = await session.scalar(
        select(func.count()).where(
            HelpRequest.assignee_id == user_id, HelpRequest.status == RequestStatus.ASSIGNED
        )
    )
    return offers or 0, assigned or 0


async def pending_volunteers(
    session: AsyncSession, *, now: datetime, limit: int = 20
) -> list[VolunteerCard]:
    ids = await session.scalars(
        select(Volunteer.user_id)
        .where(Volunteer.status == VolunteerStatus.PENDING)
        .order_by(Volunteer.created_at, Volunteer.user_id)
        .limit(limit)
    )
    cards = [await volunteer_card(session, user_id, now=now) for user_id in list(ids)]
    return [card for card in cards if card is not None]


def _signals(
    request: HelpRequest, now: datetime
) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool], ColumnElement[int]]:
    """Per volunteer: lives in the district, speaks the language, declined it, offers in 7 days."""
    near = exists().where(
        VolunteerDistrict.user_id == Volunteer.user_id,
        VolunteerDistrict.district == request.district,
    )
    speaks = exists().where(
        VolunteerLanguage.user_id == Volunteer.user_id,
        VolunteerLanguage.language == request.language,
    )
    declined = exists().where(
        Offer.request_id == request.id,
        Offer.volunteer_id == Volunteer.user_id,
        Offer.status == OfferStatus.DECLINED,
    )
    offers_7d = (
        select(func.count())
        .where(Offer.volunteer_id == Volunteer.user_id, Offer.created_at >= now - timedelta(days=7))
        .correlate(Volunteer)
        .scalar_subquery()
    )
    return near, speaks, declined, offers_7d


def _may_take(query: Select[Any], request: HelpRequest, today: date) -> Select[Any]:
    """Approved, reachable volunteers, not paused, with the request's skill, but not its seeker."""
    return (
        query.join(User, User.id == Volunteer.user_id)
        .join(
            VolunteerSkill,
            and_(
                VolunteerSkill.user_id == Volunteer.user_id, VolunteerSkill.skill == request.skill
            ),
        )
        .where(
            Volunteer.status == VolunteerStatus.APPROVED,
            User.reachable.is_(True),
            Volunteer.user_id != request.seeker_id,
            or_(Volunteer.paused.is_(False), Volunteer.paused_until < today),
        )
    )


def _best_first(request: HelpRequest, *, now: datetime, tz: ZoneInfo, limit: int) -> Select[Any]:
    """Best first: not declined, speaks the language, lives nearby, Lotse, least asked."""
    near, speaks, declined, offers_7d = _signals(request, now)
    columns = select(
        Volunteer.user_id,
        User.first_name,
        Volunteer.is_lotse,
        case((near, True), else_=False),
        case((speaks, True), else_=False),
        case((declined, True), else_=False),
    )
    return (
        _may_take(columns, request, local_now(now, tz).local_date)
        .order_by(
            case((declined, 1), else_=0),
            case((speaks, 0), else_=1),
            case((near, 0), else_=1),
            case((Volunteer.is_lotse, 0), else_=1),
            offers_7d,
            Volunteer.user_id,
        )
        .limit(limit)
    )


async def assignable(
    session: AsyncSession, request: HelpRequest, *, now: datetime, tz: ZoneInfo, limit: int = 8
) -> list[Assignable]:
    """Approved, reachable, not paused volunteers with the request's skill, in any district.
    Unlike the automatic matching this keeps those already asked: a coordinator may have phoned
    them. Best first: not declined, speaks the language, lives nearby, Lotse, least asked."""
    rows = await session.execute(_best_first(request, now=now, tz=tz, limit=limit))
    return [
        Assignable(user_id, name, bool(lotse), bool(near_), bool(speaks_), bool(declined_))
        for user_id, name, lotse, near_, speaks_, declined_ in rows
    ]
