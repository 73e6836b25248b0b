"""Escalation against a real SQLite file: steps claimed exactly once by racing workers and after
a restart, the full walk through the tiers, urgency, and an accept that stops it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import create_engine, create_session_factory
from db.models import HelpRequest, Offer, OutboxMessage, RequestEvent
from matching.status import RequestStatus, WhenKind
from services.answers import Answer, accept_offer
from services.clock import FrozenClock
from services.escalation import due_request_ids, run_if_due
from services.outbox import Notice
from services.requests import submit_request
from services.rules import Rules
from tests.factories import add_volunteer, add_volunteers, count, draft, event_kinds, outbox

Sessions = async_sessionmaker[AsyncSession]
STEP_EVENTS = ("offered", "escalated", "coordinators_notified")


async def submit_many(
    sessions: Sessions, seeker: int, rules: Rules, now: datetime, n: int, **kw
) -> list[int]:
    rules = replace(rules, max_open_requests=max(n, rules.max_open_requests))
    ids = []
    async with sessions() as s, s.begin():
        for _ in range(n):
            done = await submit_request(
                s, seeker_id=seeker, draft=draft(**kw), rules=rules, now=now
            )
            assert done.request is not None
            ids.append(done.request.id)
    return ids


async def due(sessions: Sessions, now: datetime) -> list[int]:
    async with sessions() as s:
        return await due_request_ids(s, now=now)


async def run_each(sessions: Sessions, ids: list[int], rules: Rules, now: datetime) -> int:
    """Claim and run the steps of `ids`, each in its own transaction; how many ran here."""
    ran = 0
    for request_id in ids:
        async with sessions() as s, s.begin():
            ran += await run_if_due(s, request_id=request_id, rules=rules, now=now) is not None
    return ran


async def run_due(sessions: Sessions, rules: Rules, now: datetime) -> int:
    """One scheduler pass over every due step."""
    return await run_each(sessions, await due(sessions, now), rules, now)


async def step_counts(sessions: Sessions) -> tuple[dict[str, int], int, int]:
    """Step events by kind, outbox rows, and steps_run summed over every request."""
    async with sessions() as s:
        rows = await s.execute(
            select(RequestEvent.kind, func.count())
            .where(RequestEvent.kind.in_(STEP_EVENTS))
            .group_by(RequestEvent.kind)
        )
        steps = await s.scalar(select(func.sum(HelpRequest.steps_run)))
        events = {kind: n for kind, n in rows}
        return events, await count(s, OutboxMessage), steps or 0


async def test_every_due_step_runs_once_when_two_workers_race(
    sessions: Sessions, db_url: str, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, range(11, 41), now=clock.now())
    await submit_many(sessions, seeker, rules, clock.now(), 8)
    before = await step_counts(sessions)
    clock.advance(timedelta(minutes=20))
    other = create_engine(db_url)
    try:
        # Both workers polled before either ran a step: each sees all eight due.
        workers = [sessions, create_session_factory(other)]
        first, second = [await due(w, clock.now()) for w in workers]
        assert len(first) == len(second) == 8
        ran = await asyncio.gather(
            run_each(workers[0], first, rules, clock.now()),
            run_each(workers[1], second[::-1], rules, clock.now()),
        )
    finally:
        await other.dispose()
    assert sum(ran) == 8
    events, messages, steps = await step_counts(sessions)
    assert events == {"offered": before[0]["offered"] + 8}
    assert steps == before[2] + 8
    assert messages == before[1] + 8 * 3
    async with sessions() as s:
        assert await count(s, Offer) == 8 * 3 * 2
        assert await due_request_ids(s, now=clock.now()) == []


async def test_each_overdue_step_runs_once_when_workers_restart_long_after(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, range(11, 41), now=clock.now())
    request_ids = await submit_many(sessions, seeker, rules, clock.now(), 3)
    before = await step_counts(sessions)
    clock.advance(timedelta(hours=10))  # thirty rounds missed while the bot was down
    assert await run_due(sessions, rules, clock.now()) == 3
    assert await run_due(sessions, rules, clock.now()) == 0
    events, messages, steps = await step_counts(sessions)
    assert (events["offered"], messages, steps) == (
        before[0]["offered"] + 3,
        before[1] + 3 * 3,
        before[2] + 3,
    )
    async with sessions() as s:
        for request_id in request_ids:
            request = await s.get(HelpRequest, request_id)
            assert request is not None
            assert (request.step, request.next_step_at) == (2, clock.now() + timedelta(minutes=20))


async def walk(
    sessions: Sessions, request_id: int, rules: Rules, clock: FrozenClock
) -> list[timedelta]:
    """Run each step when it falls due until none is scheduled; the waits between them."""
    waits: list[timedelta] = []
    last = clock.now()
    for _ in range(20):
        async with sessions() as s:
            request = await s.get(HelpRequest, request_id)
            assert request is not None
        if request.next_step_at is None:
            return waits
        clock.set(request.next_step_at)
        waits.append(clock.now() - last)
        last = clock.now()
        assert await run_due(sessions, rules, clock.now()) == 1
    raise AssertionError("the escalation never stops")


async def add_pool(s: AsyncSession, now: datetime) -> None:
    """Twelve matching volunteers (more than three rounds ask) and two Lotsen elsewhere."""
    await add_volunteers(s, range(11, 23), now=now)
    await add_volunteers(s, (31, 32), now=now, districts=("porz",), is_lotse=True)


async def test_the_walk_ends_after_the_last_coordinator_notice_when_nobody_answers(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_pool(s, clock.now())
    (request_id,) = await submit_many(sessions, seeker, rules, clock.now(), 1)
    waits = await walk(sessions, request_id, rules, clock)
    assert waits == [timedelta(minutes=m) for m in (20, 20, 20, 120, 1440, 1440)]
    async with sessions() as s:
        assert await event_kinds(s, request_id) == [
            "created",
            *["offered"] * 3,
            "escalated",
            "offered",
            "escalated",
            *["coordinators_notified"] * 3,
        ]
        offered = [m.chat_id for m in await outbox(s, kind=Notice.OFFER)]
        assert len(set(offered[:9])) == 9 and set(offered[:9]) < set(range(11, 23))
        assert offered[9:] == [31, 32]
        assert len(await outbox(s, kind=Notice.SEEKER_LOTSEN)) == 1
        assert len(await outbox(s, kind=Notice.SEEKER_COORDINATOR)) == 1
        notices = await outbox(s, kind=Notice.COORDINATOR_ESCALATION)
        assert [(m.chat_id, m.payload["notice"]) for m in notices] == [
            (rules.coordinators[0], n) for n in (1, 2, 3)
        ]
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        assert (request.status, request.tier, request.step) == (RequestStatus.OPEN, 2, 3)
    clock.advance(timedelta(days=30))
    assert await run_due(sessions, rules, clock.now()) == 0


async def test_every_wait_halves_when_the_request_is_urgent(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_pool(s, clock.now())
    (request_id,) = await submit_many(
        sessions, seeker, rules, clock.now(), 1, when_kind=WhenKind.TODAY
    )
    assert await walk(sessions, request_id, rules, clock) == [
        timedelta(minutes=m) for m in (10, 10, 10, 60, 720, 720)
    ]


async def test_escalation_stops_when_a_lotse_from_another_district_accepts(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now())
        await add_volunteer(s, 31, now=clock.now(), districts=("porz",), is_lotse=True)
    (request_id,) = await submit_many(sessions, seeker, rules, clock.now(), 1)
    clock.advance(timedelta(minutes=20))
    assert await run_due(sessions, rules, clock.now()) == 1
    async with sessions() as s, s.begin():
        offer = await s.scalar(select(Offer).where(Offer.volunteer_id == 31))
        assert offer is not None and offer.tier == 1
        answer, request = await accept_offer(s, offer_id=offer.id, volunteer_id=31, now=clock.now())
    assert answer is Answer.ACCEPTED
    assert request is not None
    assert (request.status, request.next_step_at) == (RequestStatus.ASSIGNED, None)
    clock.advance(timedelta(days=3))
    assert await run_due(sessions, rules, clock.now()) == 0
    async with sessions() as s:
        assert (await event_kinds(s, request_id))[-2:] == ["withdrawn", "accepted"]
        assert await outbox(s, kind=Notice.COORDINATOR_ESCALATION) == []
