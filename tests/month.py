"""A generated month of an agency (October 2026 in Köln) put into the database, with the plan
kept beside it so that the tests can work out every figure by hand, independently of the SQL.

People carry names, usernames and texts that must never reach an export (tests/db/test_export.py
looks for each of them)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from matching.stats import Period
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.events import EventKind, record
from tests.factories import add_offer, add_request, add_user, add_volunteer

TZ = ZoneInfo("Europe/Berlin")
OCTOBER = Period(date(2026, 10, 1), date(2026, 11, 1))
START, END = OCTOBER.bounds(TZ)
SKILLS = ("offices", "furniture", "interpreting", "german")
DISTRICTS = ("ehrenfeld", "nippes", "kalk")
LANGUAGES = ("de", "uk", "ar", "ru")
SEEKERS = tuple(range(700_101, 700_106))
OLD_VOLUNTEERS = tuple(range(800_101, 800_106))  # joined in August
NEW_VOLUNTEERS = tuple(range(800_201, 800_204))  # joined in October
EDGE_VOLUNTEERS = (800_301, 800_302)  # joined a minute before and after October
LOTSEN = (800_101, 800_102)  # approved Lotsen
PENDING_LOTSE = 800_103
LATE_ACCEPTOR, LATE_DECLINER = 800_104, 800_105  # answered in October a September offer
HELPERS = (*LOTSEN, PENDING_LOTSE, *NEW_VOLUNTEERS[:2])  # 800_203 makes no offer
TAKEN = (RequestStatus.ASSIGNED, RequestStatus.DONE)


@dataclass(frozen=True, slots=True)
class Planned:
    created: datetime
    skill: str
    district: str
    language: str
    status: RequestStatus
    tier: int
    offered: tuple[int, ...]  # minutes after creation, one offer per entry
    accepted: int | None  # minutes after creation
    helpers: tuple[int, ...]  # the volunteer of each offer

    @property
    def description(self) -> str:
        return f"Secret story of {self.skill} at {self.created:%d %H:%M}"


@dataclass(slots=True)
class Month:
    requests: list[Planned] = field(default_factory=list)
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> name, username


def name_of(user_id: int) -> tuple[str, str]:
    return f"Zuzanna{user_id}Kowalczyk", f"zk_handle_{user_id}"


def _plan(rng: random.Random, created: datetime) -> Planned:
    status = rng.choice(list(RequestStatus))
    offered = tuple(sorted(rng.sample(range(1, 900), rng.randint(0, 3))))
    accepted = offered[-1] + rng.randint(1, 600) if status in TAKEN and offered else None
    helpers = tuple(rng.sample(HELPERS, len(offered)))
    return Planned(
        created=created,
        skill=rng.choice(SKILLS),
        district=rng.choice(DISTRICTS),
        language=rng.choice(LANGUAGES),
        status=status,
        tier=rng.choice((0, 0, 1, 2)),
        offered=offered,
        accepted=accepted,
        helpers=helpers,
    )


def plan(seed: int = 2026, n: int = 40) -> list[Planned]:
    """`n` requests spread over October, the first and last a minute inside its local days."""
    rng = random.Random(seed)
    span = int((END - START).total_seconds() // 60) - 2
    minutes = sorted([1, span, *(rng.randint(1, span) for _ in range(n - 2))])
    return [_plan(rng, START + timedelta(minutes=m)) for m in minutes]


async def _people(session: AsyncSession, month: Month) -> None:
    august, before = datetime(2026, 8, 3, 10, tzinfo=UTC), START - timedelta(minutes=1)
    for user_id in SEEKERS:
        await add_user(session, user_id, now=august)
    for user_id in OLD_VOLUNTEERS:
        pending = user_id == PENDING_LOTSE
        await add_volunteer(
            session,
            user_id,
            now=august,
            is_lotse=user_id in (*LOTSEN, PENDING_LOTSE),
            status=VolunteerStatus.PENDING if pending else VolunteerStatus.APPROVED,
        )
    for i, user_id in enumerate(NEW_VOLUNTEERS):
        await add_volunteer(session, user_id, now=START + timedelta(days=3 * i + 1))
    await add_volunteer(session, EDGE_VOLUNTEERS[0], now=before)
    await add_volunteer(session, EDGE_VOLUNTEERS[1], now=END)
    for user_id in (*SEEKERS, *OLD_VOLUNTEERS, *NEW_VOLUNTEERS, *EDGE_VOLUNTEERS):
        user = await session.get(User, user_id)
        assert user is not None
        user.first_name, user.username = month.people[user_id] = name_of(user_id)


async def _request(session: AsyncSession, planned: Planned, seeker: int) -> None:
    request = await add_request(
        session,
        seeker_id=seeker,
        now=planned.created,
        skill=planned.skill,
        district=planned.district,
        language=planned.language,
        status=planned.status,
        assignee_id=planned.helpers[-1] if planned.accepted is not None else None,
    )
    request.tier, request.description = planned.tier, planned.description
    record(session, request_id=request.id, kind=EventKind.CREATED, now=planned.created)
    for minutes, helper in zip(planned.offered, planned.helpers, strict=True):
        at = planned.created + timedelta(minutes=minutes)
        offer = await add_offer(
            session, request_id=request.id, volunteer_id=helper, created_at=at, flush=False
        )
        record(session, request_id=request.id, kind=EventKind.OFFERED, now=at)
        record(session, request_id=request.id, kind=EventKind.OFFERED, now=at + timedelta(hours=30))
    if planned.accepted is not None:
        at = planned.created + timedelta(minutes=planned.accepted)
        offer.status, offer.answered_at = OfferStatus.ACCEPTED, at
        record(session, request_id=request.id, kind=EventKind.ACCEPTED, now=at)
        record(session, request_id=request.id, kind=EventKind.ACCEPTED, now=at + timedelta(days=2))


async def _september(session: AsyncSession) -> None:
    """A request from late September, outside the month, whose offers were answered in October:
    one accepted (its volunteer counts as active), one declined (does not)."""
    created = START - timedelta(hours=5)
    request = await add_request(session, seeker_id=SEEKERS[0], now=created)
    for volunteer, status in (
        (LATE_ACCEPTOR, OfferStatus.ACCEPTED),
        (LATE_DECLINER, OfferStatus.DECLINED),
    ):
        offer = await add_offer(
            session, request_id=request.id, volunteer_id=volunteer, created_at=created
        )
        offer.status, offer.answered_at = status, START + timedelta(hours=2)
    await add_request(session, seeker_id=SEEKERS[1], now=END)  # the first minute of November


async def generate(session: AsyncSession, seed: int = 2026) -> Month:
    """The month in the database (flushed, not committed); its plan and people returned."""
    month = Month(requests=plan(seed))
    await _people(session, month)
    for i, planned in enumerate(month.requests):
        await _request(session, planned, SEEKERS[i % len(SEEKERS)])
    await _september(session)
    await session.flush()
    return month


def offers_in_october(planned: list[Planned]) -> list[int]:
    """The volunteer of each offer made before November (the last requests' may come later)."""
    return [
        helper
        for p in planned
        for minutes, helper in zip(p.offered, p.helpers, strict=True)
        if p.created + timedelta(minutes=minutes) < END
    ]


def active_in_october(planned: list[Planned]) -> set[int]:
    """Who offered in October, or accepted in October (the September offer included)."""
    accepted = {
        p.helpers[-1]
        for p in planned
        if p.accepted is not None and p.created + timedelta(minutes=p.accepted) < END
    }
    return set(offers_in_october(planned)) | accepted | {LATE_ACCEPTOR}
