"""The coordinators' statistics and the rows of the annual export, for a period of local days.

Counts are GROUP BY queries; the per-request times (to the first offer, to acceptance) come from
the request history (services/events.py) as the first event of each kind. Everything is plain
SQL that SQLite and PostgreSQL both run; the arithmetic is in matching/stats.py. Volunteers
appear only by pseudonym: never a name, a username, a Telegram id or a text anybody wrote.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, Subquery, and_, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import offloading
from db.meeting_models import Attendance
from db.models import HelpRequest, Offer, RequestEvent, Volunteer
from matching.escalation import Tier
from matching.stats import Period, by_week, median_of, minutes_between, pseudonym, share
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.events import EventKind

TAKEN = (RequestStatus.ASSIGNED, RequestStatus.DONE)


@dataclass(frozen=True, slots=True)
class RequestRow:
    ref: str
    created_at: datetime
    skill: str
    district: str
    language: str
    status: RequestStatus
    tier: int
    to_first_offer: float | None  # minutes
    to_acceptance: float | None


@dataclass(frozen=True, slots=True)
class Stats:
    period: Period
    total: int
    by_topic: dict[str, int]
    by_district: dict[str, int]
    by_language: dict[str, int]
    taken_share: float
    median_to_first_offer: float | None
    median_to_acceptance: float | None
    lotsen_share: float  # of the requests that reached the Lotsen tier (or beyond)
    coordinators_share: float
    active_volunteers: int
    lotsen: int
    new_volunteers: int
    attended: int
    attendance_marked: int
    weeks: dict[date, dict[str, int]]  # Monday -> outcome -> requests created that week


@dataclass(frozen=True, slots=True)
class Activity:
    """One volunteer's part in the period, by pseudonym."""

    pseudonym: str
    offers: int
    accepted: int
    declined: int
    done: int


def _in(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _first(kind: EventKind) -> Subquery:
    return (
        select(RequestEvent.request_id, func.min(RequestEvent.at).label("at"))
        .where(RequestEvent.kind == kind.value)
        .group_by(RequestEvent.request_id)
        .subquery()
    )


def _rows_query(start: datetime, end: datetime) -> Select[Any]:
    offered, accepted = _first(EventKind.OFFERED), _first(EventKind.ACCEPTED)
    return (
        select(
            HelpRequest.ref,
            HelpRequest.created_at,
            HelpRequest.skill,
            HelpRequest.district,
            HelpRequest.language,
            HelpRequest.status,
            HelpRequest.tier,
            offered.c.at,
            accepted.c.at,
        )
        .outerjoin(offered, offered.c.request_id == HelpRequest.id)
        .outerjoin(accepted, accepted.c.request_id == HelpRequest.id)
        .where(_in(HelpRequest.created_at, start, end))
        .order_by(HelpRequest.created_at, HelpRequest.id)
    )


@offloading
async def request_rows(session: AsyncSession, *, period: Period, tz: ZoneInfo) -> list[RequestRow]:
    """One row per request created in the period, oldest first."""
    start, end = period.bounds(tz)
    result = await session.execute(_rows_query(start, end))
    return [
        RequestRow(
            ref=ref,
            created_at=created,
            skill=skill,
            district=district,
            language=language,
            status=RequestStatus(status),
            tier=tier,
            to_first_offer=minutes_between(created, offered),
            to_acceptance=minutes_between(created, accepted),
        )
        for ref, created, skill, district, language, status, tier, offered, accepted in result
    ]


async def _groups(session: AsyncSession, start: datetime, end: datetime) -> list[Any]:
    query = (
        select(
            HelpRequest.skill,
            HelpRequest.district,
            HelpRequest.language,
            HelpRequest.status,
            HelpRequest.tier,
            func.count(),
        )
        .where(_in(HelpRequest.created_at, start, end))
        .group_by(
            HelpRequest.skill,
            HelpRequest.district,
            HelpRequest.language,
            HelpRequest.status,
            HelpRequest.tier,
        )
    )
    return [tuple(row) for row in await session.execute(query)]


async def _scalar(session: AsyncSession, query: Select[Any]) -> int:
    return int((await session.execute(query)).scalar_one() or 0)


async def _volunteer_counts(
    session: AsyncSession, start: datetime, end: datetime
) -> tuple[int, int, int]:
    answered = and_(Offer.status == OfferStatus.ACCEPTED, _in(Offer.answered_at, start, end))
    active = select(func.count(distinct(Offer.volunteer_id))).where(
        or_(_in(Offer.created_at, start, end), answered)
    )
    lotsen = select(func.count()).where(
        Volunteer.is_lotse.is_(True), Volunteer.status == VolunteerStatus.APPROVED
    )
    new = select(func.count()).where(_in(Volunteer.created_at, start, end))
    return (
        await _scalar(session, active),
        await _scalar(session, lotsen),
        await _scalar(session, new),
    )


async def _attendance(session: AsyncSession, start: datetime, end: datetime) -> tuple[int, int]:
    query = (
        select(Attendance.attended, func.count())
        .where(_in(Attendance.occurrence, start, end))
        .group_by(Attendance.attended)
    )
    counts = {bool(attended): int(n) for attended, n in await session.execute(query)}
    return counts.get(True, 0), sum(counts.values())


@dataclass(slots=True)
class _Tally:
    """The period's requests counted by each of their grouping columns."""

    topic: Counter[str] = field(default_factory=Counter)
    district: Counter[str] = field(default_factory=Counter)
    language: Counter[str] = field(default_factory=Counter)
    status: Counter[str] = field(default_factory=Counter)
    tier: Counter[int] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.status.values())

    def reached(self, tier: Tier) -> float:
        return share(sum(n for t, n in self.tier.items() if t >= tier), self.total)


def _tally(groups: list[Any]) -> _Tally:
    tally = _Tally()
    for skill, district, language, status, tier, n in groups:
        tally.topic[skill] += n
        tally.district[district] += n
        tally.language[language] += n
        tally.status[str(status)] += n
        tally.tier[int(tier)] += n
    return tally


def _request_figures(tally: _Tally, rows: list[RequestRow]) -> dict[str, Any]:
    return {
        "total": tally.total,
        "by_topic": dict(tally.topic.most_common()),
        "by_district": dict(tally.district.most_common()),
        "by_language": dict(tally.language.most_common()),
        "taken_share": share(sum(tally.status[s.value] for s in TAKEN), tally.total),
        "median_to_first_offer": median_of(row.to_first_offer for row in rows),
        "median_to_acceptance": median_of(row.to_acceptance for row in rows),
        "lotsen_share": tally.reached(Tier.LOTSEN),
        "coordinators_share": tally.reached(Tier.COORDINATORS),
    }


async def _people_figures(session: AsyncSession, start: datetime, end: datetime) -> dict[str, Any]:
    active, lotsen, new = await _volunteer_counts(session, start, end)
    attended, marked = await _attendance(session, start, end)
    return {
        "active_volunteers": active,
        "lotsen": lotsen,
        "new_volunteers": new,
        "attended": attended,
        "attendance_marked": marked,
    }


@offloading
async def statistics(
    session: AsyncSession, *, period: Period, tz: ZoneInfo, rows: list[RequestRow] | None = None
) -> Stats:
    """The period's figures; `rows` (request_rows of the same period) saves reading them twice."""
    start, end = period.bounds(tz)
    tally = _tally(await _groups(session, start, end))
    rows = rows if rows is not None else await request_rows(session, period=period, tz=tz)
    return Stats(
        period=period,
        weeks=by_week([(row.created_at, row.status.value) for row in rows], period, tz),
        **_request_figures(tally, rows),
        **await _people_figures(session, start, end),
    )


@offloading
async def activity(
    session: AsyncSession, *, period: Period, tz: ZoneInfo, key: bytes
) -> list[Activity]:
    """Each volunteer offered something in the period: offers, answers, requests done."""
    start, end = period.bounds(tz)
    offers = (
        select(Offer.volunteer_id, Offer.status, func.count())
        .where(_in(Offer.created_at, start, end))
        .group_by(Offer.volunteer_id, Offer.status)
    )
    done = (
        select(HelpRequest.assignee_id, func.count())
        .where(HelpRequest.status == RequestStatus.DONE, _in(HelpRequest.created_at, start, end))
        .group_by(HelpRequest.assignee_id)
    )
    per: dict[int, Counter[str]] = {}
    for volunteer, status, n in await session.execute(offers):
        per.setdefault(volunteer, Counter())[str(status)] += n
    assignees: Any = await session.execute(done)
    for volunteer, n in assignees:
        if volunteer is not None:
            per.setdefault(volunteer, Counter())["done"] += n
    return sorted(
        (
            Activity(
                pseudonym=pseudonym(volunteer, key),
                offers=sum(c[s.value] for s in OfferStatus),
                accepted=c[OfferStatus.ACCEPTED.value],
                declined=c[OfferStatus.DECLINED.value],
                done=c["done"],
            )
            for volunteer, c in per.items()
        ),
        key=lambda a: a.pseudonym,
    )
