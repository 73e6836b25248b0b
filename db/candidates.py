"""The candidate query: the hard filters and the ranking order of matching/eligibility.py in SQL, so
the database narrows 100,000 volunteers to the few worth ranking with indexed lookups.

The pure rules stay the authority: the rows fetched here are checked and ranked again by
`matching.eligibility.pick`, and tests/db compares both over whole populations.

Each statement shape is built once, with bind parameters, and reused: building and keying a
statement of this size costs about as much as running it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from db.models import (
    HelpRequest,
    Offer,
    User,
    Volunteer,
    VolunteerDistrict,
    VolunteerLanguage,
    VolunteerReach,
    VolunteerSkill,
)
from matching.clock import local_midnight
from matching.eligibility import TIE_P, pick, tie_params
from matching.model import LocalNow, RequestSpec, VolunteerState
from matching.status import OfferStatus, RequestStatus, VolunteerStatus

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Pass:
    speakers: bool
    # True: only volunteers never offered anything and with no open assignment; False: only the
    # others; None: both (the rare non-speaker pass).
    fresh: bool | None


# In rank_key order: language first; among speakers a fresh volunteer (no offer ever, so none in
# 7 days, none today, not asked; no open assignment) has the smallest possible fairness key, so
# the fresh come before all others and need no counting at all. Most requests end after pass 1.
PASSES = (_Pass(True, True), _Pass(True, False), _Pass(False, None))


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
    """The best `limit` volunteers who may be offered `request` now, best first: the order of
    `matching.eligibility.rank_key`, fetched in passes that each continue where the last ended."""
    mul, add = tie_params(request.id)
    params: dict[str, Any] = {
        "skill": request.skill,
        "district": request.district,
        "language": request.language,
        "request_id": request.id,
        "seeker_id": request.seeker_id,
        "mul": mul,
        "add": add,
        "midnight": local_midnight(now.utc, tz),
        "week": now.utc - timedelta(days=7),
        "today": now.local_date,
        "minute": now.minute_of_day,
        "cap": default_cap,
    }
    rows: list[Row[Any]] = []
    for step in PASSES:
        if len(rows) >= limit:
            break
        statement = _statement(lotsen_only, step)
        rows += await session.execute(statement, params | {"limit": limit - len(rows)})
    return pick(
        [_state(row) for row in rows],
        request,
        now,
        limit=limit,
        default_cap=default_cap,
        lotsen=lotsen_only,
    )


@cache
def _statement(lotsen_only: bool, step: _Pass) -> Select[Any]:
    """One pass: the eligible volunteers it covers, ranked, the best `limit` read in full.

    The query starts from the narrowest table that answers "who may be asked at all": for
    speakers the reach key (skill, district, language), one range scan; for the rarer passes
    (non-speakers, any district for the Lotsen) the link tables.
    """
    source, narrow = _narrowing(lotsen_only, step.speakers)
    uid = source.user_id
    tie = ((Volunteer.user_id % TIE_P) * bindparam("mul", type_=Integer) + bindparam("add")) % TIE_P
    keys, filters, order = _fairness(step.fresh)
    top = (
        select(Volunteer.user_id, *keys)
        .select_from(source)
        .join(Volunteer, Volunteer.user_id == uid)
        .join(User, User.id == uid)
        .where(
            *narrow,
            *filters,
            _not_the_seeker(),
            Volunteer.status == VolunteerStatus.APPROVED,
            User.reachable.is_(True),
            or_(
                Volunteer.paused.is_(False),
                and_(
                    Volunteer.paused_until.is_not(None), Volunteer.paused_until < bindparam("today")
                ),
            ),
            not_(_quiet_now()),
        )
        .order_by(*order, func.coalesce(Volunteer.last_offer_at, _EPOCH), tie)
        .limit(bindparam("limit", type_=Integer))
        .subquery("top")
    )
    # Only the few ranked rows are read in full, with their links, in the same statement: one
    # round trip to the database thread instead of two.
    return (
        select(
            *_READ,
            User.reachable,
            top.c.offers_today,
            top.c.offers_7d,
            top.c.open_assignments,
            *(_joined(key, value) for key, value in _LINKS),
        )
        .join(top, top.c.user_id == Volunteer.user_id)
        .join(User, User.id == Volunteer.user_id)
    )


def _not_the_seeker() -> ColumnElement[bool]:
    seeker: BindParameter[int | None] = bindparam("seeker_id", type_=BigInteger)
    return or_(seeker.is_(None), Volunteer.user_id != seeker)


def _quiet_now() -> ColumnElement[bool]:
    start, end = Volunteer.quiet_start, Volunteer.quiet_end
    minute: BindParameter[int] = bindparam("minute")
    return and_(
        start.is_not(None),
        end.is_not(None),
        or_(
            and_(start < end, start <= minute, end > minute),
            and_(start > end, or_(start <= minute, end > minute)),
        ),
    )


def _count_offers_since(name: str) -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(Offer.volunteer_id == Volunteer.user_id, Offer.created_at >= bindparam(name))
        .correlate(Volunteer)
        .scalar_subquery()
    )


def _open_assignments() -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(
            HelpRequest.assignee_id == Volunteer.user_id,
            HelpRequest.status == RequestStatus.ASSIGNED,
        )
        .correlate(Volunteer)
        .scalar_subquery()
    )


def _fairness(fresh: bool | None) -> tuple[list[Any], list[ColumnElement[bool]], list[Any]]:
    """The counted keys to select, the filters that depend on them, and their sort order."""
    assigned = _open_assignments()
    never_offered = Volunteer.last_offer_at.is_(None)
    cap = func.coalesce(Volunteer.daily_cap, bindparam("cap", type_=Integer))
    if fresh:
        zero = literal(0)
        keys = [zero.label("offers_today"), zero.label("offers_7d"), zero.label("open_assignments")]
        return keys, [never_offered, assigned == 0, cap > 0], []
    offers_today = _count_offers_since("midnight")
    offers_7d = _count_offers_since("week").label("offers_7d")
    open_assignments = assigned.label("open_assignments")
    asked = exists().where(
        Offer.request_id == bindparam("request_id"),
        Offer.volunteer_id == Volunteer.user_id,
        Offer.status != OfferStatus.WITHDRAWN,
    )
    filters = [not_(asked), offers_today < cap]
    if fresh is False:
        filters.append(or_(not_(never_offered), assigned > 0))
    keys = [offers_today.label("offers_today"), offers_7d, open_assignments]
    return keys, filters, [offers_7d, open_assignments]


def _joined(key: QueryableAttribute[int], value: QueryableAttribute[str]) -> Any:
    """A volunteer's skills (districts, languages) as one comma-separated string."""
    return (
        select(func.aggregate_strings(value, ","))
        .where(key == Volunteer.user_id)
        .correlate(Volunteer)
        .scalar_subquery()
    )


Source = type[VolunteerReach] | type[VolunteerDistrict] | type[VolunteerSkill]


def _narrowing(lotsen_only: bool, speakers: bool) -> tuple[Source, list[ColumnElement[bool]]]:
    skill: BindParameter[str] = bindparam("skill")
    district: BindParameter[str] = bindparam("district")
    language: BindParameter[str] = bindparam("language")
    if speakers and not lotsen_only:
        return VolunteerReach, [
            VolunteerReach.skill == skill,
            VolunteerReach.district == district,
            VolunteerReach.language == language,
        ]
    source: type[VolunteerDistrict] | type[VolunteerSkill]
    source = VolunteerSkill if lotsen_only else VolunteerDistrict
    uid = source.user_id
    speaks = exists().where(
        VolunteerLanguage.user_id == uid, VolunteerLanguage.language == language
    )
    narrow: list[ColumnElement[bool]] = [speaks if speakers else not_(speaks)]
    if lotsen_only:
        narrow += [VolunteerSkill.skill == skill, Volunteer.is_lotse.is_(True)]
    else:
        skilled = exists().where(VolunteerSkill.user_id == uid, VolunteerSkill.skill == skill)
        narrow += [VolunteerDistrict.district == district, skilled]
    return source, narrow


# What _state reads: columns, not mapped objects (nothing to keep in the identity map).
_COLUMNS = "user_id status paused paused_until quiet_start quiet_end daily_cap last_offer_at"
_READ = tuple(getattr(Volunteer, name) for name in (*_COLUMNS.split(), "is_lotse"))

_LINKS: tuple[tuple[QueryableAttribute[int], QueryableAttribute[str]], ...] = (
    (VolunteerSkill.user_id, VolunteerSkill.skill),
    (VolunteerDistrict.user_id, VolunteerDistrict.district),
    (VolunteerLanguage.user_id, VolunteerLanguage.language),
)


def _split(joined: str | None) -> frozenset[str]:
    # Keys are short ASCII words (matching.areas checks them), so a comma separates safely.
    return frozenset(joined.split(",")) if joined else frozenset()


def _state(v: Row[Any]) -> VolunteerState:  # _READ's columns (by name), then the rest
    reachable, today, week, assigned, skills, districts, languages = tuple(v)[len(_READ) :]
    return VolunteerState(
        user_id=v.user_id,
        approved=v.status is VolunteerStatus.APPROVED,
        reachable=reachable,
        skills=_split(skills),
        districts=_split(districts),
        languages=_split(languages),
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
