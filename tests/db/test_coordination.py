"""A coordinator's actions against a real SQLite file: assign, extend, close, escalate now and the
Lotsen pool; each claimed once when two coordinators act at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import HelpRequest, RequestEvent, User, Volunteer
from matching.escalation import Tier
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.clock import FrozenClock
from services.coordination import (
    CloseReason,
    Handled,
    Outcome,
    assign_request,
    close_request,
    escalate_now,
    extend_request,
)
from services.coordination_queries import assignable
from services.outbox import Notice
from services.requests import submit_request
from services.rules import Rules
from services.volunteers import LotseOutcome, find_volunteer, set_lotse
from tests.conftest import COORDINATOR_ID
from tests.factories import add_offer, add_volunteer, draft, event_kinds, offers_of, outbox

Sessions = async_sessionmaker[AsyncSession]
OTHER_COORDINATOR = COORDINATOR_ID + 1
NEARBY, FARTHER, LOTSE = 11, 21, 31


async def submitted(sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock) -> int:
    async with sessions() as s, s.begin():
        done = await submit_request(
            s, seeker_id=seeker, draft=draft(), rules=rules, now=clock.now()
        )
        assert done.request is not None
        return done.request.id


async def with_volunteers(sessions: Sessions, clock: FrozenClock, *ids: int, **kw: Any) -> None:
    async with sessions() as s, s.begin():
        for user_id in ids:
            await add_volunteer(s, user_id, now=clock.now(), **kw)


async def at_coordinators(sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock) -> int:
    """A request nobody could be offered: its first step notifies the coordinators."""
    request_id = await submitted(sessions, seeker, rules, clock)
    async with sessions() as s:
        request = await s.get(HelpRequest, request_id)
        assert request is not None and request.tier == Tier.COORDINATORS
    return request_id


async def race(
    sessions: Sessions, act: Callable[[AsyncSession, int], Awaitable[Handled]]
) -> list[Outcome]:
    """Two coordinators act at once, each in their own transaction."""

    async def one(coordinator_id: int) -> Outcome:
        async with sessions() as s, s.begin():
            return (await act(s, coordinator_id)).outcome

    return list(await asyncio.gather(one(COORDINATOR_ID), one(OTHER_COORDINATOR)))


async def test_volunteer_and_seeker_are_told_when_a_coordinator_assigns(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, FARTHER, districts=("porz",))
    request_id = await at_coordinators(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        done = await assign_request(
            s,
            request_id=request_id,
            volunteer_id=FARTHER,
            coordinator_id=COORDINATOR_ID,
            now=clock.now(),
        )
    assert done.outcome is Outcome.ASSIGNED
    async with sessions() as s:
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        assert (request.status, request.assignee_id) == (RequestStatus.ASSIGNED, FARTHER)
        assert request.next_step_at is None
        [assigned] = await outbox(s, kind=Notice.VOLUNTEER_ASSIGNED, chat_id=FARTHER)
        assert assigned.payload["seeker_id"] == seeker
        assert assigned.payload["seeker_name"] == f"user{seeker}"
        assert assigned.payload["ref"] == request.ref
        [matched] = await outbox(s, kind=Notice.SEEKER_MATCHED, chat_id=seeker)
        assert matched.payload["volunteer_id"] == FARTHER
        event = await s.scalar(select(RequestEvent).where(RequestEvent.kind == "assigned"))
        assert event is not None and event.actor_id == COORDINATOR_ID
        assert event.data["volunteer_id"] == FARTHER


async def test_other_offers_are_withdrawn_when_a_coordinator_assigns_an_offered_volunteer(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, NEARBY, NEARBY + 1)
    request_id = await submitted(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        await assign_request(
            s,
            request_id=request_id,
            volunteer_id=NEARBY,
            coordinator_id=COORDINATOR_ID,
            now=clock.now(),
        )
    async with sessions() as s:
        offers = {o.volunteer_id: o.status for o in await offers_of(s, request_id)}
        assert offers == {NEARBY: OfferStatus.ACCEPTED, NEARBY + 1: OfferStatus.WITHDRAWN}
        [taken] = await outbox(s, kind=Notice.OFFER_TAKEN)
        assert taken.chat_id == NEARBY + 1 and taken.edit_of is not None


async def test_second_coordinator_hears_it_is_taken_when_two_assign_at_once(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, FARTHER, FARTHER + 1, districts=("porz",))
    request_id = await at_coordinators(sessions, seeker, rules, clock)

    async def act(s: AsyncSession, coordinator_id: int) -> Handled:
        volunteer = FARTHER if coordinator_id == COORDINATOR_ID else FARTHER + 1
        return await assign_request(
            s,
            request_id=request_id,
            volunteer_id=volunteer,
            coordinator_id=coordinator_id,
            now=clock.now(),
        )

    outcomes = await race(sessions, act)
    assert sorted(outcomes) == sorted([Outcome.ASSIGNED, Outcome.TAKEN])
    async with sessions() as s:
        assert len(await outbox(s, kind=Notice.VOLUNTEER_ASSIGNED)) == 1
        assert len(await outbox(s, kind=Notice.SEEKER_MATCHED)) == 1
        assert (await event_kinds(s, request_id)).count("assigned") == 1


async def test_assign_is_refused_when_the_person_is_no_approved_volunteer_or_the_seeker(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, FARTHER, status=VolunteerStatus.PENDING)
    request_id = await at_coordinators(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        # The seeker volunteers too: still not for what they asked for themselves.
        s.add(Volunteer(user_id=seeker, status=VolunteerStatus.APPROVED, created_at=clock.now()))
    async with sessions() as s, s.begin():
        for volunteer_id, refused in (
            (FARTHER, Outcome.NO_VOLUNTEER),
            (seeker, Outcome.OWN_REQUEST),
            (999, Outcome.NO_VOLUNTEER),
        ):
            done = await assign_request(
                s,
                request_id=request_id,
                volunteer_id=volunteer_id,
                coordinator_id=COORDINATOR_ID,
                now=clock.now(),
            )
            assert done.outcome is refused
        request = await s.get(HelpRequest, request_id)
        assert request is not None and request.status is RequestStatus.OPEN


async def test_lotsen_are_asked_again_when_a_coordinator_extends(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    request_id = await at_coordinators(sessions, seeker, rules, clock)
    await with_volunteers(sessions, clock, LOTSE, districts=("porz",), is_lotse=True)
    clock.advance(timedelta(hours=1))
    async with sessions() as s, s.begin():
        done = await extend_request(
            s, request_id=request_id, coordinator_id=COORDINATOR_ID, rules=rules, now=clock.now()
        )
    assert done.outcome is Outcome.EXTENDED
    async with sessions() as s:
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        assert (request.tier, request.step) == (Tier.LOTSEN, 1)
        wait = timedelta(minutes=rules.policy.lotse_wait_minutes)
        assert request.next_step_at == clock.now() + wait
        [offer] = await outbox(s, kind=Notice.OFFER, chat_id=LOTSE)
        assert offer.payload["tier"] == Tier.LOTSEN
        assert (await event_kinds(s, request_id))[-2:] == ["extended", "offered"]


async def test_extend_is_refused_when_the_request_has_not_reached_the_coordinators(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, NEARBY)
    request_id = await submitted(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        done = await extend_request(
            s, request_id=request_id, coordinator_id=COORDINATOR_ID, rules=rules, now=clock.now()
        )
        assert done.outcome is Outcome.ALREADY_HANDLED
        assert "extended" not in await event_kinds(s, request_id)


async def test_only_one_extend_counts_when_two_coordinators_press_at_once(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    request_id = await at_coordinators(sessions, seeker, rules, clock)

    async def act(s: AsyncSession, coordinator_id: int) -> Handled:
        return await extend_request(
            s, request_id=request_id, coordinator_id=coordinator_id, rules=rules, now=clock.now()
        )

    outcomes = await race(sessions, act)
    assert sorted(outcomes) == sorted([Outcome.EXTENDED, Outcome.ALREADY_HANDLED])
    async with sessions() as s:
        assert (await event_kinds(s, request_id)).count("extended") == 1


async def test_seeker_gets_the_reason_key_when_a_coordinator_closes(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, NEARBY)
    request_id = await submitted(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        done = await close_request(
            s,
            request_id=request_id,
            coordinator_id=COORDINATOR_ID,
            reason=CloseReason.OUT_OF_SCOPE,
            now=clock.now(),
        )
    assert done.outcome is Outcome.CLOSED
    async with sessions() as s:
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        assert (request.status, request.next_step_at) == (RequestStatus.CLOSED, None)
        assert request.close_reason == "out_of_scope"
        [closed] = await outbox(s, kind=Notice.SEEKER_CLOSED, chat_id=seeker)
        assert closed.payload["reason"] == "out_of_scope"
        [withdrawn] = await outbox(s, kind=Notice.OFFER_WITHDRAWN)
        assert withdrawn.chat_id == NEARBY
        assert [o.status for o in await offers_of(s, request_id)] == [OfferStatus.WITHDRAWN]
        event = await s.scalar(select(RequestEvent).where(RequestEvent.kind == "closed"))
        assert event is not None and event.actor_id == COORDINATOR_ID
        assert event.data == {"reason": "out_of_scope"}


async def test_only_one_close_counts_when_two_coordinators_press_at_once(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    request_id = await at_coordinators(sessions, seeker, rules, clock)

    async def act(s: AsyncSession, coordinator_id: int) -> Handled:
        return await close_request(
            s,
            request_id=request_id,
            coordinator_id=coordinator_id,
            reason=CloseReason.SOLVED,
            now=clock.now(),
        )

    outcomes = await race(sessions, act)
    assert sorted(outcomes) == sorted([Outcome.CLOSED, Outcome.ALREADY_HANDLED])
    async with sessions() as s:
        assert len(await outbox(s, kind=Notice.SEEKER_CLOSED)) == 1


async def test_close_is_refused_when_a_volunteer_has_taken_the_request(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, FARTHER, districts=("porz",))
    request_id = await at_coordinators(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        await assign_request(
            s,
            request_id=request_id,
            volunteer_id=FARTHER,
            coordinator_id=COORDINATOR_ID,
            now=clock.now(),
        )
        done = await close_request(
            s,
            request_id=request_id,
            coordinator_id=OTHER_COORDINATOR,
            reason=CloseReason.DUPLICATE,
            now=clock.now(),
        )
        assert done.outcome is Outcome.TAKEN
        assert await outbox(s, kind=Notice.SEEKER_CLOSED) == []


async def test_lotsen_are_asked_at_once_when_a_coordinator_escalates_a_fresh_request(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, NEARBY)
    await with_volunteers(sessions, clock, LOTSE, districts=("porz",), is_lotse=True)
    request_id = await submitted(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        done = await escalate_now(
            s, request_id=request_id, coordinator_id=COORDINATOR_ID, rules=rules, now=clock.now()
        )
    assert done.outcome is Outcome.ESCALATED
    async with sessions() as s:
        request = await s.get(HelpRequest, request_id)
        assert request is not None and request.tier == Tier.LOTSEN
        assert len(await outbox(s, kind=Notice.OFFER, chat_id=LOTSE)) == 1
        [escalated] = await s.scalars(select(RequestEvent).where(RequestEvent.kind == "escalated"))
        assert escalated.actor_id == COORDINATOR_ID
        assert escalated.data == {"tier": Tier.LOTSEN, "manual": True}


async def test_coordinators_are_notified_again_when_escalating_a_request_they_have(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    request_id = await at_coordinators(sessions, seeker, rules, clock)
    clock.advance(timedelta(hours=1))
    async with sessions() as s, s.begin():
        done = await escalate_now(
            s, request_id=request_id, coordinator_id=COORDINATOR_ID, rules=rules, now=clock.now()
        )
    assert done.outcome is Outcome.ESCALATED
    async with sessions() as s:
        notices = await outbox(s, kind=Notice.COORDINATOR_ESCALATION, chat_id=COORDINATOR_ID)
        assert [n.payload["notice"] for n in notices] == [1, 2]
        kinds = await event_kinds(s, request_id)
        assert kinds[-2:] == ["coordinators_notified", "escalated"]
        manual = await s.scalars(
            select(RequestEvent.actor_id).where(RequestEvent.kind == "escalated")
        )
        assert list(manual) == [None, COORDINATOR_ID]


async def test_escalate_is_refused_when_the_request_is_closed(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    request_id = await at_coordinators(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        await close_request(
            s,
            request_id=request_id,
            coordinator_id=COORDINATOR_ID,
            reason=CloseReason.SOLVED,
            now=clock.now(),
        )
        done = await escalate_now(
            s, request_id=request_id, coordinator_id=COORDINATOR_ID, rules=rules, now=clock.now()
        )
        assert done.outcome is Outcome.ALREADY_HANDLED
        missing = await escalate_now(
            s, request_id=404, coordinator_id=COORDINATOR_ID, rules=rules, now=clock.now()
        )
        assert missing.outcome is Outcome.NOT_FOUND


async def test_lotse_flag_follows_the_coordinator_when_set_and_unset(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, NEARBY)
    async with sessions() as s, s.begin():
        assert (
            await set_lotse(
                s, volunteer_id=NEARBY, is_lotse=True, actor_id=COORDINATOR_ID, now=clock.now()
            )
            is LotseOutcome.SET
        )
        assert (
            await set_lotse(
                s, volunteer_id=NEARBY, is_lotse=True, actor_id=COORDINATOR_ID, now=clock.now()
            )
            is LotseOutcome.UNCHANGED
        )
        assert (
            await set_lotse(
                s, volunteer_id=NEARBY, is_lotse=False, actor_id=COORDINATOR_ID, now=clock.now()
            )
            is LotseOutcome.UNSET
        )
        assert (
            await set_lotse(
                s, volunteer_id=999, is_lotse=True, actor_id=COORDINATOR_ID, now=clock.now()
            )
            is LotseOutcome.NOT_FOUND
        )


async def test_volunteer_is_found_when_named_by_id_or_username_in_any_case(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, NEARBY)
    async with sessions() as s, s.begin():
        volunteer = await find_volunteer(s, NEARBY)
        assert volunteer is not None
        user = await s.get(User, NEARBY)
        assert user is not None
        user.username = "Anna_K"
        assert await find_volunteer(s, "anna_k") is volunteer
        assert await find_volunteer(s, "nobody") is None
        assert await find_volunteer(s, 999) is None


async def test_assign_list_puts_nearby_speakers_first_and_decliners_last(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    request_id = await at_coordinators(sessions, seeker, rules, clock)
    await with_volunteers(sessions, clock, FARTHER, districts=("porz",))
    await with_volunteers(sessions, clock, LOTSE, districts=("porz",), is_lotse=True)
    await with_volunteers(sessions, clock, NEARBY, languages=("ar",))
    await with_volunteers(sessions, clock, NEARBY + 1)
    await with_volunteers(sessions, clock, NEARBY + 2)
    await with_volunteers(sessions, clock, 50, skills=("school",))
    await with_volunteers(sessions, clock, 51, paused=True)
    await with_volunteers(sessions, clock, 52, status=VolunteerStatus.PENDING)
    async with sessions() as s, s.begin():
        await add_offer(
            s,
            request_id=request_id,
            volunteer_id=NEARBY + 2,
            created_at=clock.now(),
            status=OfferStatus.DECLINED,
        )
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        people = await assignable(s, request, now=clock.now(), tz=rules.tz)
    assert [p.user_id for p in people] == [NEARBY + 1, LOTSE, FARTHER, NEARBY, NEARBY + 2]
    assert people[1].is_lotse and people[1].speaks and not people[1].in_district
    assert people[-1].declined
