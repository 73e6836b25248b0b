"""The candidate query: the hard filters and the ranking order of matching/rules.py in SQL, so
the database narrows 100,000 volunteers to the few worth ranking with indexed lookups.

The pure rules stay the authority: the rows fetched here are checked and ranked again by
`matching.rules.pick`, and tests/db compares both over whole populations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, literal, not_, or_, select, union_all
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from db.models import (
    HelpRequest,
    Offer,
    OfferStatus,
    RequestStatus,
    User,
    Volunteer,
    VolunteerDistrict,
    VolunteerLanguage,
    VolunteerReach,
    VolunteerSkill,
    VolunteerStatus,
)
from matching.model import LocalNow, RequestSpec, VolunteerState
from matching.rules import TIE_P, pick, tie_params
from services.clock import local_midnight

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _quiet_now(minute: int) -> ColumnElement[bool]:
    start, end = Volunteer.quiet_start, Volunteer.quiet_end
    return and_(
        start.is_not(None),
        end.is_not(None),
        or_(
            and_(start < end, start <= minute, end > minute),
            and_(start > end, or_(start <= minute, end > minute)),
        ),
    )


def _count_offers_since(since: datetime) -> ColumnElement[int]:
    return (
        select(func.count())
        .where(Offer.volunteer_id == Volunteer.user_id, Offer.created_at >= since)
        .correlate(Volunteer)
        .scalar_subquery()
    )


async def find_candidates(
    session: AsyncSession,
    request: RequestSpec,
    now: LocalNow,
    *,
    tz: ZoneInfo,
    limit: int,
    default_cap: int,
    lotsen_only: bool = False,
) -> list[VolunteerState]:
    """The best `limit` volunteers who may be offered `request` now, best first.

    Language ranks first, so speakers are fetched first and the others only when fewer than
    `limit` speakers may be asked: the same order as `rank_key`, in two steps."""
    rows = list(
        await session.execute(_ranked(request, now, tz, default_cap, lotsen_only, True, limit))
    )
    if len(rows) < limit:
        others = _ranked(request, now, tz, default_cap, lotsen_only, False, limit - len(rows))
        rows += await session.execute(others)
    states = await _states(session, rows)
    return pick(
        states,
        request,
        now,
        limit=limit,
        default_cap=default_cap,
        any_district=lotsen_only,
    )


def _ranked(
    request: RequestSpec,
    now: LocalNow,
    tz: ZoneInfo,
    default_cap: int,
    lotsen_only: bool,
    speakers: bool,
    limit: int,
) -> Select[Any]:
    """Eligible volunteers who speak (or do not speak) the request's language, ranked.

    The query starts from the narrowest table that answers "who may be asked at all", so the
    counting subqueries run only for those: for speakers the reach key (skill, district,
    language), one range scan; for the rarer passes (non-speakers, any district for the Lotsen)
    the link tables.
    """
    source, narrow = _narrowing(request, lotsen_only, speakers)
    uid = source.user_id
    offers_today = _count_offers_since(local_midnight(now.utc, tz)).label("offers_today")
    offers_7d = _count_offers_since(now.utc - timedelta(days=7)).label("offers_7d")
    open_assignments = (
        select(func.count())
        .where(
            HelpRequest.assignee_id == Volunteer.user_id,
            HelpRequest.status == RequestStatus.ASSIGNED,
        )
        .correlate(Volunteer)
        .scalar_subquery()
        .label("open_assignments")
    )
    asked = exists().where(
        Offer.request_id == request.id,
        Offer.volunteer_id == Volunteer.user_id,
        Offer.status != OfferStatus.WITHDRAWN,
    )
    mul, add = tie_params(request.id)
    tie = ((Volunteer.user_id % TIE_P) * literal(mul) + literal(add)) % TIE_P
    return (
        select(Volunteer, User.reachable, offers_today, offers_7d, open_assignments)
        .select_from(source)
        .join(Volunteer, Volunteer.user_id == uid)
        .join(User, User.id == uid)
        .where(
            *narrow,
            Volunteer.status == VolunteerStatus.APPROVED,
            User.reachable.is_(True),
            or_(
                Volunteer.paused.is_(False),
                and_(Volunteer.paused_until.is_not(None), Volunteer.paused_until < now.local_date),
            ),
            not_(_quiet_now(now.minute_of_day)),
            not_(asked),
            offers_today < func.coalesce(Volunteer.daily_cap, default_cap),
        )
        .order_by(
            offers_7d,
            open_assignments,
            func.coalesce(Volunteer.last_offer_at, _EPOCH),
            tie,
        )
        .limit(limit)
    )


Source = type[VolunteerReach] | type[VolunteerDistrict] | type[VolunteerSkill]


def _narrowing(
    request: RequestSpec, lotsen_only: bool, speakers: bool
) -> tuple[Source, list[ColumnElement[bool]]]:
    if speakers and not lotsen_only:
        return VolunteerReach, [
            VolunteerReach.skill == request.skill,
            VolunteerReach.district == request.district,
            VolunteerReach.language == request.language,
        ]
    source: type[VolunteerDistrict] | type[VolunteerSkill]
    source = VolunteerSkill if lotsen_only else VolunteerDistrict
    uid = source.user_id
    speaks = exists().where(
        VolunteerLanguage.user_id == uid, VolunteerLanguage.language == request.language
    )
    narrow: list[ColumnElement[bool]] = [speaks if speakers else not_(speaks)]
    if lotsen_only:
        narrow += [VolunteerSkill.skill == request.skill, Volunteer.is_lotse.is_(True)]
    else:
        skilled = exists().where(
            VolunteerSkill.user_id == uid, VolunteerSkill.skill == request.skill
        )
        narrow += [VolunteerDistrict.district == request.district, skilled]
    return source, narrow


async def _states(session: AsyncSession, rows: Sequence[Row[Any]]) -> list[VolunteerState]:
    ids = [row[0].user_id for row in rows]
    if not ids:
        return []
    skills, districts, languages = await _sets(session, ids)
    return [
        VolunteerState(
            user_id=v.user_id,
            approved=v.status is VolunteerStatus.APPROVED,
            reachable=reachable,
            skills=skills.get(v.user_id, frozenset()),
            districts=districts.get(v.user_id, frozenset()),
            languages=languages.get(v.user_id, frozenset()),
            paused=v.paused,
            paused_until=v.paused_until,
            quiet_start=v.quiet_start,
            quiet_end=v.quiet_end,
            daily_cap=v.daily_cap,
            offers_today=today,
            offers_last_7d=week,
            open_assignments=assigned,
            last_offer_at=v.last_offer_at,
            is_lotse=v.is_lotse,
        )
        for v, reachable, today, week, assigned in (tuple(row) for row in rows)
    ]


_LINKS: tuple[tuple[QueryableAttribute[int], QueryableAttribute[str]], ...] = (
    (VolunteerSkill.user_id, VolunteerSkill.skill),
    (VolunteerDistrict.user_id, VolunteerDistrict.district),
    (VolunteerLanguage.user_id, VolunteerLanguage.language),
)


async def _sets(session: AsyncSession, ids: list[int]) -> list[dict[int, frozenset[str]]]:
    """Skills, districts and languages of `ids`, in one round trip."""
    query = union_all(
        *(
            select(literal(n).label("link"), key, value).where(key.in_(ids))
            for n, (key, value) in enumerate(_LINKS)
        )
    )
    found: list[dict[int, set[str]]] = [{} for _ in _LINKS]
    for n, user_id, item in await session.execute(query):
        found[n].setdefault(user_id, set()).add(item)
    return [{user_id: frozenset(items) for user_id, items in f.items()} for f in found]
