"""Erasing a person: afterwards no table holds their Telegram id, name, username or texts
(every table, every column, JSON included), last month's statistics are what they were, and
their open work ended the way it ends every day."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import HelpRequest, Offer, User, Volunteer
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.clock import FrozenClock
from services.outbox import HeldAnswer, MatchedNotice, RequestFacts, TaskReminder, enqueue
from services.privacy.forget import Erased, erase_person
from services.rules import Rules
from services.stats import statistics
from tests.factories import add_offer, add_request, add_user, add_volunteer, count, outbox
from tests.month import NEW_VOLUNTEERS, OCTOBER, SEEKERS, TZ, Month, generate
from tests.privacy import all_rows, traces
from tests.racing import race

SEEKER, HELPER, OTHER = SEEKERS[0], NEW_VOLUNTEERS[0], SEEKERS[1]


def words(month: Month, user_id: int) -> list[str]:
    name, username = month.people[user_id]
    texts = [p.description for i, p in enumerate(month.requests) if SEEKERS[i % 5] == user_id]
    return [name, username, *texts]


async def _month_over(s: AsyncSession) -> None:
    """A month later everything asked in October has ended."""
    await s.execute(
        update(HelpRequest)
        .where(HelpRequest.status.in_((RequestStatus.OPEN, RequestStatus.ASSIGNED)))
        .values(status=RequestStatus.DONE)
    )


async def _messages_about(s: AsyncSession, month: Month, clock: FrozenClock) -> None:
    """Queued and sent messages to other people that name the two (their payloads)."""
    request = await s.get(HelpRequest, 1)
    assert request is not None
    name, _ = month.people[HELPER]
    seeker_name, _ = month.people[SEEKER]
    now = clock.now()
    matched = MatchedNotice(ref="R1", request_id=1, volunteer_id=HELPER, volunteer_name=name)
    await enqueue(s, chat_id=OTHER, payload=matched, dedupe_key="m1", now=now)
    facts = RequestFacts(
        request_id=1,
        ref="R1",
        skill="x",
        district="y",
        when_kind=request.when_kind,
        when_date=None,
        description=month.requests[0].description,
        language="de",
        urgent=False,
    )
    task = TaskReminder(request=facts, day=now.date(), seeker_id=SEEKER, seeker_name=seeker_name)
    await enqueue(s, chat_id=NEW_VOLUNTEERS[1], payload=task, dedupe_key=f"t:{SEEKER}", now=now)
    text = f'<a href="tg://user?id={HELPER}">{name}</a> will help you.'
    answer = HeldAnswer(method="SendMessage", params={"chat_id": OTHER, "text": text})
    await enqueue(s, chat_id=OTHER, payload=answer, dedupe_key="a1", now=now)
    await enqueue(s, chat_id=SEEKER, payload=answer, dedupe_key="a2", now=now)


async def test_no_table_holds_them_and_last_month_is_unchanged_when_two_people_are_erased(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    async with sessions() as s, s.begin():
        month = await generate(s)
        await _month_over(s)
        await _messages_about(s, month, clock)
    async with sessions() as s:
        before = await statistics(s, period=OCTOBER, tz=TZ)
        assert traces(await all_rows(s), SEEKER, words(month, SEEKER))
    for person in (SEEKER, HELPER):
        async with sessions() as s, s.begin():
            await erase_person(s, user_id=person, rules=rules, now=clock.now())
    async with sessions() as s:
        rows = await all_rows(s)
        assert await statistics(s, period=OCTOBER, tz=TZ) == before
        assert len(await outbox(s)) == 3  # the answer to the seeker went with them
    for person in (SEEKER, HELPER):
        assert traces(rows, person, words(month, person)) == []
    assert traces(rows, OTHER, words(month, OTHER))  # nobody else was touched


async def assigned(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    joined: datetime | None = None,
    is_lotse: bool = False,
    again: bool = False,
) -> HelpRequest:
    """Seeker 700_001's request, taken by volunteer 800_001 (who joined at `joined`); `again`:
    the seeker is back after an erasure, and the volunteer is there already."""
    async with sessions() as s, s.begin():
        await add_user(s, 700_001, now=now)
        if not again:
            await add_volunteer(s, 800_001, now=joined or now, is_lotse=is_lotse)
        taken = await add_request(
            s, seeker_id=700_001, now=now, status=RequestStatus.ASSIGNED, assignee_id=800_001
        )
        await add_offer(
            s,
            request_id=taken.id,
            volunteer_id=800_001,
            created_at=now,
            status=OfferStatus.ACCEPTED,
        )
    return taken


async def test_open_request_is_cancelled_and_its_volunteer_told_when_its_seeker_is_erased(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    now = clock.now()
    taken = await assigned(sessions, now)
    async with sessions() as s, s.begin():
        erased = await erase_person(s, user_id=700_001, rules=rules, now=now)
    assert erased.cancelled == 1
    async with sessions() as s:
        request = await s.get(HelpRequest, taken.id)
        assert request is not None
        assert (request.status, request.seeker_id, request.description) == (
            RequestStatus.CANCELLED,
            erased.tombstone,
            "",
        )
        assert [m.kind for m in await outbox(s, chat_id=800_001)] == ["volunteer_cancelled"]
        assert await count(s, User, User.id == 700_001) == 0


async def test_assignment_is_released_and_volunteer_retired_when_the_volunteer_is_erased(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    now = clock.now()
    taken = await assigned(sessions, now, joined=now - timedelta(days=3), is_lotse=True)
    async with sessions() as s, s.begin():
        erased = await erase_person(s, user_id=800_001, rules=rules, now=now)
    assert erased.released == 1
    async with sessions() as s:
        request = await s.get(HelpRequest, taken.id)
        assert request is not None and request.status is RequestStatus.OPEN
        assert request.assignee_id is None
        offer_of = await count(s, Offer, Offer.volunteer_id == erased.tombstone)
        volunteer = await s.get(Volunteer, erased.tombstone)
        assert offer_of == 1 and volunteer is not None
        assert (volunteer.status, volunteer.is_lotse) == (VolunteerStatus.REJECTED, False)
        assert next(m.kind for m in await outbox(s, chat_id=700_001)) == "seeker_released"
        assert traces(await all_rows(s), 800_001, ["user800001"]) == []


async def test_two_erasures_of_one_person_at_once_erase_them_once(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
) -> None:
    """The person says /forget while a coordinator erases them (or retention does): both
    transactions succeed, the open request is cancelled once and its volunteer told once, and
    nothing about the person is left."""
    now = clock.now()
    for trial in range(10):
        taken = await assigned(sessions, now, again=trial > 0)

        async def erasing() -> Erased:
            async with sessions() as s, s.begin():
                return await erase_person(s, user_id=700_001, rules=rules, now=now)

        results, overlapped = await race(engine, erasing, erasing)
        assert overlapped is (engine.dialect.name == "postgresql")
        assert sorted(r.cancelled for r in results) == [0, 1]
        async with sessions() as s:
            request = await s.get(HelpRequest, taken.id)
            assert request is not None and request.status is RequestStatus.CANCELLED
            told = [m.kind for m in await outbox(s, chat_id=800_001)]
            assert told.count("volunteer_cancelled") == trial + 1  # one more per trial
            assert await count(s, User, User.id == 700_001) == 0
            assert traces(await all_rows(s), 700_001, ["user700001"]) == []
