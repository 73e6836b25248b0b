"""Two people act on the same thing at the same moment, each in their own transaction: exactly
one of the two transitions happens, the stored state is consistent, and each side's outcome says
what really happened.

Each race runs ten times. On PostgreSQL `tests.racing.race` makes both transactions read before
either writes (the interleaving that loses an update when a transition reads, then writes); on
SQLite the second waits for the first to commit, so there the two run one after the other, in an
order the test does not choose, and must still agree with what was stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import HelpRequest, Offer, Volunteer
from matching.escalation import Policy
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.answers import Answer, accept_offer, decline_offer, mark_done, release_request
from services.clock import FrozenClock
from services.coordination import CloseReason, Outcome, assign_request, close_request
from services.outbox import Notice
from services.requests import CancelOutcome, SubmitOutcome, cancel_request, submit_request
from services.rules import Rules
from services.volunteers import Decided, Profile, Saved, decide_volunteer, get_profile, save_profile
from tests.conftest import COORDINATOR_ID
from tests.factories import add_user, add_volunteer, draft, offers_of, outbox
from tests.racing import race

Sessions = async_sessionmaker[AsyncSession]
T = TypeVar("T")
TRIALS = 10
OTHER_COORDINATOR = COORDINATOR_ID + 1


@dataclass
class Scene:
    """One trial's people and request, apart from every other trial's: their own skill, so no
    trial's volunteers are offered another trial's request."""

    seeker: int
    volunteers: list[int]
    skill: str
    request_id: int = 0
    offers: dict[int, int] | None = None  # volunteer -> pending offer id


async def scene(
    sessions: Sessions,
    rules: Rules,
    clock: FrozenClock,
    trial: int,
    *,
    volunteers: int = 3,
    submit: bool = True,
) -> Scene:
    base = 100_000 * (trial + 1)
    found = Scene(base, [base + n for n in range(1, volunteers + 1)], f"skill{trial}")
    async with sessions() as s, s.begin():
        await add_user(s, found.seeker, now=clock.now())
        for user_id in found.volunteers:
            await add_volunteer(s, user_id, now=clock.now(), skills=(found.skill,))
        if submit:
            done = await submit_request(
                s,
                seeker_id=found.seeker,
                draft=draft(skill=found.skill),
                rules=rules,
                now=clock.now(),
            )
            assert done.request is not None
            found.request_id = done.request.id
    if submit:
        async with sessions() as s:
            found.offers = {
                o.volunteer_id: o.id
                for o in await offers_of(s, found.request_id)
                if o.status is OfferStatus.PENDING
            }
    return found


def in_transaction(sessions: Sessions, act: Callable[[AsyncSession], Awaitable[T]]) -> Any:
    async def racer() -> T:
        async with sessions() as s, s.begin():
            return await act(s)

    return racer


async def both(engine: AsyncEngine, first: Any, second: Any) -> tuple[Any, Any]:
    (a, b), overlapped = await race(engine, first, second)
    # On PostgreSQL the race is real: both transactions had read before either wrote.
    assert overlapped is (engine.dialect.name == "postgresql")
    return a, b


async def alternating(
    engine: AsyncEngine, trial: int, first: Any, second: Any, *, tables: tuple[str, ...] = ()
) -> tuple[Any, Any]:
    """`both`, with who starts first alternating by trial (it decides the order on SQLite);
    the results in the order the racers are given."""
    flip = trial % 2 == 1
    (a, b), overlapped = await race(
        engine, *((second, first) if flip else (first, second)), tables=tables
    )
    assert overlapped is (engine.dialect.name == "postgresql")
    return (b, a) if flip else (a, b)


async def stored(sessions: Sessions, request_id: int) -> tuple[HelpRequest, list[Offer]]:
    async with sessions() as s:
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        return request, await offers_of(s, request_id)


async def told(sessions: Sessions, kind: Notice, request_id: int) -> list[int]:
    """Who was sent a `kind` notice about the request."""
    async with sessions() as s:
        rows = await outbox(s, kind=kind)
    return [m.chat_id for m in rows if m.payload.get("request_id") == request_id]


def accepting(sessions: Sessions, clock: FrozenClock, offer_id: int, volunteer: int) -> Any:
    async def act(s: AsyncSession) -> Answer:
        answer, _request = await accept_offer(
            s, offer_id=offer_id, volunteer_id=volunteer, now=clock.now()
        )
        return answer

    return in_transaction(sessions, act)


def cancelling(sessions: Sessions, clock: FrozenClock, request_id: int, seeker: int) -> Any:
    return in_transaction(
        sessions,
        lambda s: cancel_request(s, request_id=request_id, seeker_id=seeker, now=clock.now()),
    )


def declining(
    sessions: Sessions, clock: FrozenClock, rules: Rules, offer_id: int, volunteer: int
) -> Any:
    async def act(s: AsyncSession) -> Answer:
        answer, _request = await decline_offer(
            s, offer_id=offer_id, volunteer_id=volunteer, rules=rules, now=clock.now()
        )
        return answer

    return in_transaction(sessions, act)


def finishing(sessions: Sessions, clock: FrozenClock, request_id: int, volunteer: int) -> Any:
    return in_transaction(
        sessions,
        lambda s: mark_done(s, request_id=request_id, volunteer_id=volunteer, now=clock.now()),
    )


def releasing(
    sessions: Sessions, clock: FrozenClock, rules: Rules, request_id: int, volunteer: int
) -> Any:
    return in_transaction(
        sessions,
        lambda s: release_request(
            s, request_id=request_id, volunteer_id=volunteer, rules=rules, now=clock.now()
        ),
    )


def closing(sessions: Sessions, clock: FrozenClock, request_id: int) -> Any:
    async def act(s: AsyncSession) -> Outcome:
        done = await close_request(
            s,
            request_id=request_id,
            coordinator_id=COORDINATOR_ID,
            reason=CloseReason.SOLVED,
            now=clock.now(),
        )
        return done.outcome

    return in_transaction(sessions, act)


def assigning(sessions: Sessions, clock: FrozenClock, request_id: int, volunteer: int) -> Any:
    async def act(s: AsyncSession) -> Outcome:
        done = await assign_request(
            s,
            request_id=request_id,
            volunteer_id=volunteer,
            coordinator_id=COORDINATOR_ID,
            now=clock.now(),
        )
        return done.outcome

    return in_transaction(sessions, act)


def deciding(sessions: Sessions, clock: FrozenClock, volunteer: int, by: int, yes: bool) -> Any:
    return in_transaction(
        sessions,
        lambda s: decide_volunteer(
            s, coordinator_id=by, volunteer_id=volunteer, approve=yes, now=clock.now()
        ),
    )


async def assigned(sessions: Sessions, clock: FrozenClock, at: Scene) -> int:
    """The scene's request, accepted by its first volunteer."""
    assert at.offers is not None
    volunteer = min(at.offers)
    assert await accepting(sessions, clock, at.offers[volunteer], volunteer)() is Answer.ACCEPTED
    return volunteer


async def test_one_request_is_made_and_the_second_hears_already_sent_when_a_form_is_sent_twice(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    for trial in range(TRIALS):
        at = await scene(sessions, rules, clock, trial, submit=False)
        key = uuid.uuid4().hex

        def submitting(s: AsyncSession, at: Scene = at, key: str = key) -> Any:
            return submit_request(
                s,
                seeker_id=at.seeker,
                draft=draft(skill=at.skill),
                rules=rules,
                now=clock.now(),
                draft_key=key,
            )

        a, b = await both(
            engine, in_transaction(sessions, submitting), in_transaction(sessions, submitting)
        )
        assert sorted([a.outcome, b.outcome]) == [SubmitOutcome.ALREADY_SENT, SubmitOutcome.SENT]
        assert a.request.id == b.request.id and a.request.ref == b.request.ref
        async with sessions() as s:
            made = list(
                await s.scalars(select(HelpRequest).where(HelpRequest.seeker_id == at.seeker))
            )
        assert [r.draft_key for r in made] == [key]
        _request, offers = await stored(sessions, made[0].id)
        assert sorted(o.volunteer_id for o in offers) == at.volunteers  # offered once


async def test_exactly_one_wins_and_each_is_told_when_the_seeker_cancels_as_a_volunteer_accepts(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    seen = set()
    for trial in range(TRIALS):
        at = await scene(sessions, rules, clock, trial)
        assert at.offers is not None
        volunteer = min(at.offers)
        accepted, cancelled = await alternating(
            engine,
            trial,
            accepting(sessions, clock, at.offers[volunteer], volunteer),
            cancelling(sessions, clock, at.request_id, at.seeker),
        )
        request, offers = await stored(sessions, at.request_id)
        matched = await told(sessions, Notice.SEEKER_MATCHED, at.request_id)
        unassigned = await told(sessions, Notice.VOLUNTEER_CANCELLED, at.request_id)
        seen.add((accepted, cancelled))
        if (accepted, cancelled) == (Answer.ACCEPTED, CancelOutcome.TAKEN):
            assert (request.status, request.assignee_id) == (RequestStatus.ASSIGNED, volunteer)
            assert (matched, unassigned) == ([at.seeker], [])
        elif (accepted, cancelled) == (Answer.CANCELLED, CancelOutcome.CANCELLED):
            assert (request.status, request.assignee_id) == (RequestStatus.CANCELLED, None)
            assert (matched, unassigned) == ([], [])
            assert {o.status for o in offers} == {OfferStatus.WITHDRAWN}
        else:  # one after the other (SQLite): the seeker cancelled a request they saw taken
            assert engine.dialect.name == "sqlite"
            assert (accepted, cancelled) == (Answer.ACCEPTED, CancelOutcome.CANCELLED)
            assert (request.status, request.assignee_id) == (RequestStatus.CANCELLED, volunteer)
            assert (matched, unassigned) == ([at.seeker], [volunteer])
    assert seen  # at least one real outcome was checked


async def test_exactly_one_wins_when_the_volunteer_marks_done_as_the_seeker_cancels(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    for trial in range(TRIALS):
        at = await scene(sessions, rules, clock, trial)
        volunteer = await assigned(sessions, clock, at)
        done, cancelled = await both(
            engine,
            finishing(sessions, clock, at.request_id, volunteer),
            cancelling(sessions, clock, at.request_id, at.seeker),
        )
        request, _offers = await stored(sessions, at.request_id)
        finished = await told(sessions, Notice.SEEKER_DONE, at.request_id)
        unassigned = await told(sessions, Notice.VOLUNTEER_CANCELLED, at.request_id)
        if done is Answer.DONE:
            assert cancelled is CancelOutcome.DONE
            assert request.status is RequestStatus.DONE
            assert (finished, unassigned) == ([at.seeker], [])
        else:
            assert (done, cancelled) == (Answer.CANCELLED, CancelOutcome.CANCELLED)
            assert request.status is RequestStatus.CANCELLED
            assert (finished, unassigned) == ([], [volunteer])


async def test_exactly_one_decision_stands_and_the_volunteer_hears_it_when_two_coordinators_decide(
    engine: AsyncEngine, sessions: Sessions, clock: FrozenClock
) -> None:
    for trial in range(TRIALS):
        volunteer = 100_000 * (trial + 1)
        async with sessions() as s, s.begin():
            await add_volunteer(s, volunteer, now=clock.now(), status=VolunteerStatus.PENDING)
        approved, rejected = await both(
            engine,
            deciding(sessions, clock, volunteer, COORDINATOR_ID, True),
            deciding(sessions, clock, volunteer, OTHER_COORDINATOR, False),
        )
        async with sessions() as s:
            row = await s.get(Volunteer, volunteer)
            assert row is not None
            notices = [m.kind for m in await outbox(s, chat_id=volunteer)]
        if approved is Decided.APPROVED:
            assert rejected is Decided.ALREADY_APPROVED
            assert (row.status, row.decided_by) == (VolunteerStatus.APPROVED, COORDINATOR_ID)
            assert notices == [Notice.VOLUNTEER_APPROVED]
        else:
            assert (approved, rejected) == (Decided.ALREADY_REJECTED, Decided.REJECTED)
            assert (row.status, row.decided_by) == (VolunteerStatus.REJECTED, OTHER_COORDINATOR)
            assert notices == [Notice.VOLUNTEER_REJECTED]


async def test_no_new_offer_is_left_open_when_one_volunteer_declines_as_another_accepts(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    two_at_a_time = replace(rules, policy=Policy(offers_per_round=2))
    for trial in range(TRIALS):
        at = await scene(sessions, two_at_a_time, clock, trial)
        assert at.offers is not None and len(at.offers) == 2
        taker, decliner = sorted(at.offers)
        (reserve,) = set(at.volunteers) - set(at.offers)
        accepted, declined = await both(
            engine,
            accepting(sessions, clock, at.offers[taker], taker),
            declining(sessions, clock, two_at_a_time, at.offers[decliner], decliner),
        )
        request, offers = await stored(sessions, at.request_id)
        status = {o.volunteer_id: o.status for o in offers}
        assert accepted is Answer.ACCEPTED
        assert (request.status, request.assignee_id) == (RequestStatus.ASSIGNED, taker)
        assert OfferStatus.PENDING not in status.values()
        if declined is Answer.DECLINED:  # first: the reserve was asked, then withdrawn
            assert status == {
                taker: OfferStatus.ACCEPTED,
                decliner: OfferStatus.DECLINED,
                reserve: OfferStatus.WITHDRAWN,
            }
        else:  # too late: the offer had been withdrawn, nobody new is asked
            assert declined is Answer.TAKEN
            assert status == {taker: OfferStatus.ACCEPTED, decliner: OfferStatus.WITHDRAWN}


async def test_exactly_one_wins_when_the_volunteer_releases_and_marks_done_at_once(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    for trial in range(TRIALS):
        at = await scene(sessions, rules, clock, trial)
        volunteer = await assigned(sessions, clock, at)
        released, done = await both(
            engine,
            releasing(sessions, clock, rules, at.request_id, volunteer),
            finishing(sessions, clock, at.request_id, volunteer),
        )
        request, offers = await stored(sessions, at.request_id)
        back = await told(sessions, Notice.SEEKER_RELEASED, at.request_id)
        finished = await told(sessions, Notice.SEEKER_DONE, at.request_id)
        if released is Answer.RELEASED:
            assert done is Answer.ALREADY_RELEASED
            assert (request.status, request.assignee_id) == (RequestStatus.OPEN, None)
            assert (back, finished) == ([at.seeker], [])
            mine = next(o for o in offers if o.volunteer_id == volunteer)
            assert mine.status is OfferStatus.RELEASED
        else:
            assert (released, done) == (Answer.ALREADY_DONE, Answer.DONE)
            assert (request.status, request.assignee_id) == (RequestStatus.DONE, volunteer)
            assert (back, finished) == ([], [at.seeker])


async def test_exactly_one_wins_when_a_coordinator_closes_as_a_volunteer_accepts(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    for trial in range(TRIALS):
        at = await scene(sessions, rules, clock, trial)
        assert at.offers is not None
        volunteer = min(at.offers)
        closed, accepted = await both(
            engine,
            closing(sessions, clock, at.request_id),
            accepting(sessions, clock, at.offers[volunteer], volunteer),
        )
        request, offers = await stored(sessions, at.request_id)
        matched = await told(sessions, Notice.SEEKER_MATCHED, at.request_id)
        ended = await told(sessions, Notice.SEEKER_CLOSED, at.request_id)
        if closed is Outcome.CLOSED:
            assert accepted is Answer.CLOSED
            assert (request.status, request.assignee_id) == (RequestStatus.CLOSED, None)
            assert (matched, ended) == ([], [at.seeker])
            assert {o.status for o in offers} == {OfferStatus.WITHDRAWN}
        else:
            assert (closed, accepted) == (Outcome.TAKEN, Answer.ACCEPTED)
            assert (request.status, request.assignee_id) == (RequestStatus.ASSIGNED, volunteer)
            assert (matched, ended) == ([at.seeker], [])


async def test_exactly_one_gets_the_request_when_a_coordinator_assigns_as_a_volunteer_accepts(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    one_at_a_time = replace(rules, policy=Policy(offers_per_round=1))
    for trial in range(TRIALS):
        at = await scene(sessions, one_at_a_time, clock, trial)
        assert at.offers is not None and len(at.offers) == 1
        (volunteer,) = at.offers
        chosen = max(set(at.volunteers) - {volunteer})  # not offered: the coordinator phoned
        handed_over, accepted = await both(
            engine,
            assigning(sessions, clock, at.request_id, chosen),
            accepting(sessions, clock, at.offers[volunteer], volunteer),
        )
        request, offers = await stored(sessions, at.request_id)
        status = {o.volunteer_id: o.status for o in offers}
        matched = await told(sessions, Notice.SEEKER_MATCHED, at.request_id)
        handed = await told(sessions, Notice.VOLUNTEER_ASSIGNED, at.request_id)
        assert matched == [at.seeker]  # told once, of the one who comes
        if handed_over is Outcome.ASSIGNED:
            assert accepted is Answer.TAKEN
            assert (request.status, request.assignee_id) == (RequestStatus.ASSIGNED, chosen)
            assert status == {volunteer: OfferStatus.WITHDRAWN, chosen: OfferStatus.ACCEPTED}
            assert handed == [chosen]
        else:
            assert (handed_over, accepted) == (Outcome.TAKEN, Answer.ACCEPTED)
            assert (request.status, request.assignee_id) == (RequestStatus.ASSIGNED, volunteer)
            assert status == {volunteer: OfferStatus.ACCEPTED}
            assert handed == []


async def test_the_second_tap_hears_it_is_already_theirs_when_a_volunteer_taps_accept_twice(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    for trial in range(TRIALS):
        at = await scene(sessions, rules, clock, trial)
        assert at.offers is not None
        volunteer = min(at.offers)
        tap = accepting(sessions, clock, at.offers[volunteer], volunteer)
        answers = await both(engine, tap, tap)
        assert sorted(answers) == sorted([Answer.ACCEPTED, Answer.ALREADY_YOURS])
        request, _offers = await stored(sessions, at.request_id)
        assert (request.status, request.assignee_id) == (RequestStatus.ASSIGNED, volunteer)
        assert await told(sessions, Notice.SEEKER_MATCHED, at.request_id) == [at.seeker]


async def test_one_volunteer_and_one_approval_request_when_a_sign_up_is_saved_twice_at_once(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    profile = Profile(frozenset({"furniture"}), frozenset({"ehrenfeld"}), frozenset({"de"}))
    for trial in range(TRIALS):
        volunteer = 100_000 * (trial + 1)
        async with sessions() as s, s.begin():
            await add_user(s, volunteer, now=clock.now())
        saving = in_transaction(
            sessions,
            cast(
                Callable[[AsyncSession], Awaitable[Saved]],
                lambda s, v=volunteer: save_profile(
                    s, user_id=v, profile=profile, rules=rules, now=clock.now()
                ),
            ),
        )
        saved = await both(engine, saving, saving)
        assert sorted(saved) == sorted([Saved.SUBMITTED, Saved.UPDATED])
        async with sessions() as s:
            row = await s.get(Volunteer, volunteer)
            assert row is not None and row.status is VolunteerStatus.PENDING
            assert await get_profile(s, volunteer) == profile
            asked = [
                m
                for m in await outbox(s, kind=Notice.APPROVAL_REQUEST)
                if m.payload["volunteer_id"] == volunteer
            ]
        assert [m.chat_id for m in asked] == [COORDINATOR_ID]
