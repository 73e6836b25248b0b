"""The candidate query agrees with the pure rules: over a seeded random population, SQL with a
LIMIT returns exactly the volunteers (and the counts) that `pick` returns over everyone."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.candidates import find_candidates
from db.reach import rebuild_reach
from matching.clock import local_midnight, local_now
from matching.eligibility import pick
from matching.model import RequestSpec, VolunteerState
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.rules import Rules
from tests.conftest import T0
from tests.db.conftest import SEEKER_ID
from tests.factories import add_offer, add_request, add_user, add_volunteer

SKILLS = ("furniture", "school", "jobcenter", "bazaar")
DISTRICTS = ("ehrenfeld", "nippes", "porz")
LANGUAGES = ("de", "ar", "uk", "fa")
DEFAULT_CAP = 3
ZONE = Rules().tz
# Quiet windows chosen around the two clocks below (10:00 and 22:00 local), wrapping or not.
QUIET = [(540, 600), (600, 660), (599, 601), (1320, 420), (1260, 1320), (0, 360), (480, 480)]
# Few distinct last-offer times, so later ranking criteria and the tie-breaker get exercised.
LAST_OFFERS = [None, T0 - timedelta(days=9), T0 - timedelta(days=2), T0 - timedelta(hours=3)]
STATUSES = [VolunteerStatus.APPROVED] * 17 + [
    VolunteerStatus.PENDING,
    VolunteerStatus.REJECTED,
    VolunteerStatus.BANNED,
]


@dataclass
class Population:
    states: dict[int, VolunteerState] = field(default_factory=dict)
    offer_times: dict[int, list[datetime]] = field(default_factory=dict)
    asked: dict[int, set[int]] = field(default_factory=dict)  # request id -> volunteer ids
    targets: list[RequestSpec] = field(default_factory=list)

    def offered(self, user_id: int, at: datetime) -> None:
        """An offer made at `at`, as services.offering.note_offered records it."""
        self.offer_times.setdefault(user_id, []).append(at)
        state = self.states[user_id]
        if state.last_offer_at is None or state.last_offer_at < at:
            self.states[user_id] = replace(state, last_offer_at=at)

    def as_of(self, now: datetime, rules: Rules, request_id: int) -> list[VolunteerState]:
        """Everyone as the pure rules see them at `now` for one request."""
        midnight, week = local_midnight(now, rules.tz), now - timedelta(days=7)
        return [
            replace(
                v,
                offers_today=sum(t >= midnight for t in self.offer_times.get(v.user_id, [])),
                offers_last_7d=sum(t >= week for t in self.offer_times.get(v.user_id, [])),
                already_asked=v.user_id in self.asked.get(request_id, set()),
            )
            for v in self.states.values()
        ]


def some(rng: random.Random, items: tuple[str, ...], most: int) -> frozenset[str]:
    return frozenset(rng.sample(items, rng.randint(1, most)))


async def add_random_volunteer(
    s: AsyncSession, rng: random.Random, user_id: int, pop: Population
) -> None:
    today = local_now(T0, ZONE).local_date
    paused = rng.random() < 0.2
    quiet = rng.choice(QUIET) if rng.random() < 0.35 else None
    state = VolunteerState(
        user_id=user_id,
        approved=(status := rng.choice(STATUSES)) is VolunteerStatus.APPROVED,
        reachable=rng.random() < 0.9,
        skills=some(rng, SKILLS, 3),
        districts=some(rng, DISTRICTS, 2),
        languages=some(rng, LANGUAGES, 2),
        paused=paused,
        paused_until=rng.choice([None, *(today + timedelta(days=d) for d in (-1, 0, 1))])
        if paused or rng.random() < 0.1
        else None,
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
        daily_cap=rng.choice([None, None, None, 0, 1, 2, 5]),
        last_offer_at=rng.choice(LAST_OFFERS),
        is_lotse=rng.random() < 0.25,
    )
    await add_volunteer(
        s,
        user_id,
        now=T0,
        skills=state.skills,
        districts=state.districts,
        languages=state.languages,
        status=status,
        reachable=state.reachable,
        is_lotse=state.is_lotse,
        paused=state.paused,
        paused_until=state.paused_until,
        quiet=quiet,
        daily_cap=state.daily_cap,
        last_offer_at=state.last_offer_at,
        flush=False,
    )
    pop.states[user_id] = state


async def build_population(s: AsyncSession, seed: int, size: int) -> Population:
    rng, pop = random.Random(seed), Population()
    await add_user(s, SEEKER_ID, now=T0)
    ids = [6_000_000_000 + n for n in rng.sample(range(10**9), size)]
    for user_id in ids:
        await add_random_volunteer(s, rng, user_id, pop)
    await rebuild_reach(s)
    # Offer history: times spread over ten days, some right at the day and week boundaries.
    midnight = local_midnight(T0, ZONE)
    times = [midnight, midnight - timedelta(seconds=1), T0 - timedelta(days=7), T0]
    history = [await add_request(s, seeker_id=SEEKER_ID, now=T0) for _ in range(6)]
    for user_id in ids:
        for request in rng.sample(history, rng.randint(0, 4)):
            at = (
                rng.choice(times)
                if rng.random() < 0.3
                else T0 - timedelta(hours=rng.randint(0, 240))
            )
            status = rng.choice(list(OfferStatus))
            await add_offer(
                s,
                request_id=request.id,
                volunteer_id=user_id,
                created_at=at,
                status=status,
                flush=False,
            )
            pop.offered(user_id, at)
    # Open assignments count; finished ones do not.
    for user_id in rng.sample(ids, size // 5):
        state = rng.choice([RequestStatus.ASSIGNED, RequestStatus.ASSIGNED, RequestStatus.DONE])
        await add_request(s, seeker_id=SEEKER_ID, now=T0, status=state, assignee_id=user_id)
        if state is RequestStatus.ASSIGNED:
            pop.states[user_id] = replace(
                pop.states[user_id], open_assignments=pop.states[user_id].open_assignments + 1
            )
    for skill, district, language in [
        ("furniture", "ehrenfeld", "ar"),
        ("school", "nippes", "de"),
        ("jobcenter", "porz", "fa"),
        ("bazaar", "ehrenfeld", "uk"),
    ]:
        # Half the requests come from a volunteer, who must never be offered their own.
        seeker = SEEKER_ID if len(pop.targets) % 2 else _eligible_speaker(pop, skill, language)
        request = await add_request(
            s, seeker_id=seeker, now=T0, skill=skill, district=district, language=language
        )
        pop.targets.append(RequestSpec(request.id, skill, district, language, seeker))
        pop.asked[request.id] = set()
        for user_id in rng.sample(ids, 25):
            status = rng.choice(list(OfferStatus))
            at = T0 - timedelta(minutes=rng.randint(0, 600))
            await add_offer(
                s,
                request_id=request.id,
                volunteer_id=user_id,
                created_at=at,
                status=status,
                flush=False,
            )
            pop.offered(user_id, at)
            if status is not OfferStatus.WITHDRAWN:  # withdrawn offers may be made again
                pop.asked[request.id].add(user_id)
    return pop


def _eligible_speaker(pop: Population, skill: str, language: str) -> int:
    """A volunteer the request would rank high for, were they not the one asking."""
    return min(
        v.user_id
        for v in pop.states.values()
        if v.approved and v.reachable and not v.paused and skill in v.skills
        if language in v.languages and v.is_lotse
    )


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(T0, id="morning"),
        pytest.param(T0 + timedelta(hours=12), id="late-evening"),
        pytest.param(T0 + timedelta(hours=15, minutes=30), id="after-midnight"),
    ],
)
async def test_sql_candidates_equal_pure_pick_when_the_population_is_random(
    sessions: async_sessionmaker[AsyncSession], rules: Rules, now: datetime
) -> None:
    async with sessions() as s, s.begin():
        pop = await build_population(s, seed=20261121, size=300)
    found_any = 0
    async with sessions() as s:
        for request in pop.targets:
            everyone = pop.as_of(now, rules, request.id)
            for lotsen_only in (False, True):
                for limit in (1, 3, 10, 400):
                    expected = pick(
                        everyone,
                        request,
                        local_now(now, rules.tz),
                        limit=limit,
                        default_cap=DEFAULT_CAP,
                        lotsen=lotsen_only,
                    )
                    got = await find_candidates(
                        s,
                        request,
                        local_now(now, rules.tz),
                        tz=rules.tz,
                        limit=limit,
                        default_cap=DEFAULT_CAP,
                        lotsen_only=lotsen_only,
                    )
                    case = f"request={request} lotsen_only={lotsen_only} limit={limit}"
                    assert [v.user_id for v in got] == [v.user_id for v in expected], case
                    assert got == expected, case
                    found_any += len(expected)
    # The comparison must be about real lists, not two empty ones.
    assert found_any > 100
    # And the seekers who volunteer were ruled out by the rule, not by chance.
    for request in pop.targets:
        if request.seeker_id != SEEKER_ID:
            assert request.seeker_id is not None
            alone = replace(request, seeker_id=None)
            everyone = pop.as_of(now, rules, request.id)
            lotsen = pick(
                everyone,
                alone,
                local_now(now, rules.tz),
                limit=400,
                default_cap=DEFAULT_CAP,
                lotsen=True,
            )
            assert request.seeker_id in [v.user_id for v in lotsen]


async def test_the_fresh_come_first_and_the_rest_follow_in_order_when_fresh_are_too_few(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """One never-offered speaker, one speaker with an open assignment but no offer, and three
    offered before: the fresh one first, then the others by fairness, each once."""
    async with sessions() as s, s.begin():
        await add_user(s, SEEKER_ID, now=T0)
        for user_id in (1, 2, 3, 4, 5):
            await add_volunteer(s, user_id, now=T0)
        old = await add_request(s, seeker_id=SEEKER_ID, now=T0)
        await add_request(
            s, seeker_id=SEEKER_ID, now=T0, status=RequestStatus.ASSIGNED, assignee_id=2
        )
        await add_offer(s, request_id=old.id, volunteer_id=3, created_at=T0 - timedelta(days=9))
        await add_offer(s, request_id=old.id, volunteer_id=4, created_at=T0 - timedelta(days=2))
        await add_offer(s, request_id=old.id, volunteer_id=5, created_at=T0 - timedelta(days=8))
        target = await add_request(s, seeker_id=SEEKER_ID, now=T0)
    spec = RequestSpec(target.id, "furniture", "ehrenfeld", "de")
    async with sessions() as s:
        found = await find_candidates(s, spec, local_now(T0, ZONE), tz=ZONE, limit=5, default_cap=5)
    # 1: fresh. 5 and 3: nothing in 7 days, 5 offered more recently than 3 (longest wait first:
    # 3). 2: an open assignment. 4: an offer within 7 days.
    assert [v.user_id for v in found] == [1, 3, 5, 2, 4]
