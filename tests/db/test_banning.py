"""Banning a volunteer: their open offers end, the requests they hold go to the others, a second
ban changes nothing, a ban can be lifted; and a volunteer's activity, counted from a history.
On SQLite and PostgreSQL; the race with the volunteer's own accept on real parallel
connections."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.meeting_models import Attendance
from db.models import HelpRequest, Offer, Volunteer
from db.role_models import AuditEntry
from matching.status import AuditAction, OfferStatus, RequestStatus, VolunteerStatus
from services.answers import Answer
from services.banning import Banned, BanOutcome, ban_volunteer, unban_volunteer
from services.clock import FrozenClock
from services.coordination import Outcome, assign_request
from services.events import EventKind, record
from services.outbox import Notice
from services.rules import Rules
from services.volunteer_queries import Activity, volunteer_activity
from tests.bot.test_meeting_console import saved_meeting
from tests.conftest import COORDINATOR_ID
from tests.db.test_races import (
    TRIALS,
    accepting,
    alternating,
    assigning,
    in_transaction,
    scene,
    stored,
    told,
)
from tests.db.test_requests import pending_offers, submit
from tests.factories import add_offer, add_request, add_volunteer, count, event_kinds, outbox

Sessions = async_sessionmaker[AsyncSession]
VOLUNTEERS = (11, 12, 13, 14)


async def ban(sessions: Sessions, rules: Rules, clock: FrozenClock, who: int) -> BanOutcome:
    async with sessions() as s, s.begin():
        return await ban_volunteer(
            s, volunteer_id=who, actor_id=COORDINATOR_ID, rules=rules, now=clock.now()
        )


async def unban(sessions: Sessions, clock: FrozenClock, who: int) -> Banned:
    async with sessions() as s, s.begin():
        return await unban_volunteer(s, volunteer_id=who, actor_id=COORDINATOR_ID, now=clock.now())


async def audit_rows(sessions: Sessions, action: AuditAction) -> list[AuditEntry]:
    async with sessions() as s:
        return list(await s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


async def busy_volunteer(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> tuple[int, int, int]:
    """A volunteer with a pending offer and a request a coordinator gave them: (the volunteer,
    the offered request, the held request). Three of the four volunteers are offered each."""
    async with sessions() as s, s.begin():
        for user_id in VOLUNTEERS:
            await add_volunteer(s, user_id, now=clock.now())
    offered = await submit(sessions, seeker, rules, clock)
    volunteer = min(await pending_offers(sessions, offered))
    held = await submit(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        done = await assign_request(
            s,
            request_id=held,
            volunteer_id=volunteer,
            coordinator_id=COORDINATOR_ID,
            now=clock.now(),
        )
        assert done.outcome is Outcome.ASSIGNED
    return volunteer, offered, held


async def test_offers_end_and_held_requests_go_to_others_when_a_volunteer_is_banned(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    volunteer, offered, held = await busy_volunteer(sessions, seeker, rules, clock)
    outcome = await ban(sessions, rules, clock, volunteer)
    assert outcome == BanOutcome(Banned.BANNED, withdrawn=1, released=1)
    others = set(VOLUNTEERS) - {volunteer}
    # The round goes on without them: the one not asked yet is asked now.
    assert set(await pending_offers(sessions, offered)) == others
    assert set(await pending_offers(sessions, held)) == others
    async with sessions() as s:
        request = await s.get(HelpRequest, held)
        assert request is not None
        assert (request.status, request.assignee_id, request.tier) == (RequestStatus.OPEN, None, 0)
        assert (await s.get(Volunteer, volunteer)).status is VolunteerStatus.BANNED  # type: ignore[union-attr]
        theirs = await s.scalars(select(Offer.status).where(Offer.volunteer_id == volunteer))
        assert sorted(theirs) == sorted([OfferStatus.WITHDRAWN, OfferStatus.RELEASED])
        assert EventKind.VOLUNTEER_BANNED in await event_kinds(s, held)
        assert EventKind.WITHDRAWN in await event_kinds(s, offered)
        ended = [m.chat_id for m in await outbox(s, kind=Notice.VOLUNTEER_ROLE_ENDED)]
        assert ended == [volunteer]
    assert await told(sessions, Notice.OFFER_WITHDRAWN, offered) == [volunteer]
    assert await told(sessions, Notice.SEEKER_RELEASED, held) == [seeker]
    [row] = await audit_rows(sessions, AuditAction.VOLUNTEER_BANNED)
    assert (row.target_user_id, row.detail) == (
        volunteer,
        "offers withdrawn 1, requests released 1",
    )


async def test_the_second_ban_changes_nothing_when_a_volunteer_is_banned_twice(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    volunteer, *_rest = await busy_volunteer(sessions, seeker, rules, clock)
    assert (await ban(sessions, rules, clock, volunteer)).outcome is Banned.BANNED
    assert await ban(sessions, rules, clock, volunteer) == BanOutcome(Banned.UNCHANGED)
    assert len(await audit_rows(sessions, AuditAction.VOLUNTEER_BANNED)) == 1
    async with sessions() as s:
        assert len(await outbox(s, kind=Notice.VOLUNTEER_ROLE_ENDED)) == 1
    assert await ban(sessions, rules, clock, 999) == BanOutcome(Banned.NOT_FOUND)


async def test_a_banned_volunteer_is_not_offered_until_the_ban_is_lifted(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now())
    assert (await ban(sessions, rules, clock, 11)).outcome is Banned.BANNED
    assert await pending_offers(sessions, await submit(sessions, seeker, rules, clock)) == {}
    assert await unban(sessions, clock, 11) is Banned.UNBANNED
    assert await unban(sessions, clock, 11) is Banned.UNCHANGED
    assert list(await pending_offers(sessions, await submit(sessions, seeker, rules, clock))) == [
        11
    ]
    [row] = await audit_rows(sessions, AuditAction.VOLUNTEER_UNBANNED)
    assert row.target_user_id == 11
    async with sessions() as s:
        assert (await s.get(Volunteer, 11)).status is VolunteerStatus.APPROVED  # type: ignore[union-attr]


async def test_a_rejected_volunteer_stays_rejected_when_a_ban_is_tried(
    sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now(), status=VolunteerStatus.REJECTED)
    assert await ban(sessions, rules, clock, 11) == BanOutcome(Banned.UNCHANGED)
    assert await audit_rows(sessions, AuditAction.VOLUNTEER_BANNED) == []


async def test_each_kind_of_activity_is_counted_when_a_volunteer_has_a_history(
    sessions: Sessions, seeker: int, clock: FrozenClock
) -> None:
    now = clock.now()
    meeting = await saved_meeting(sessions, clock, volunteers=0)
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=now)
        await add_volunteer(s, 12, now=now)
        done = await add_request(s, seeker_id=seeker, now=now, status=RequestStatus.DONE)
        done.assignee_id = 11
        given_back = await add_request(s, seeker_id=seeker, now=now)
        declined = await add_request(s, seeker_id=seeker, now=now)
        assigned = await add_request(s, seeker_id=seeker, now=now)
        assigned.status, assigned.assignee_id = RequestStatus.ASSIGNED, 12  # someone else's
        for request, status in (
            (done, OfferStatus.ACCEPTED),
            (given_back, OfferStatus.RELEASED),
            (declined, OfferStatus.DECLINED),
        ):
            await add_offer(
                s, request_id=request.id, volunteer_id=11, created_at=now, status=status
            )
        for request, kind in (
            (done, EventKind.ACCEPTED),
            (given_back, EventKind.ACCEPTED),
            (given_back, EventKind.RELEASED),
            (declined, EventKind.DECLINED),
        ):
            record(s, request_id=request.id, kind=kind, now=now, actor_id=11)
        record(s, request_id=assigned.id, kind=EventKind.ACCEPTED, now=now, actor_id=12)
        for days, came in ((0, True), (7, True), (14, False)):
            occurrence = now - timedelta(days=days)
            s.add(
                Attendance(
                    meeting_id=meeting, occurrence=occurrence, volunteer_id=11, attended=came
                )
            )
    async with sessions() as s:
        assert await volunteer_activity(s, 11) == Activity(
            offers=3, accepted=2, done=1, released=1, meetings=2
        )
        assert await volunteer_activity(s, 13) == Activity(0, 0, 0, 0, 0)


def banning(sessions: Sessions, rules: Rules, clock: FrozenClock, volunteer: int) -> object:
    async def act(s: AsyncSession) -> Banned:
        done = await ban_volunteer(
            s, volunteer_id=volunteer, actor_id=COORDINATOR_ID, rules=rules, now=clock.now()
        )
        return done.outcome

    return in_transaction(sessions, act)


async def test_the_request_is_offered_again_when_a_ban_and_the_volunteers_accept_race(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    seen = set()
    for trial in range(TRIALS):
        at = await scene(sessions, rules, clock, trial)
        assert at.offers is not None
        volunteer = min(at.offers)
        # Both wait at their lock of the request, so either may take it first on PostgreSQL.
        accepted, banned = await alternating(
            engine,
            trial,
            accepting(sessions, clock, at.offers[volunteer], volunteer),
            banning(sessions, rules, clock, volunteer),
            tables=("requests",),
        )
        assert banned is Banned.BANNED
        seen.add(accepted)
        request, offers = await stored(sessions, at.request_id)
        assert (request.status, request.assignee_id) == (RequestStatus.OPEN, None)
        pending = {o.volunteer_id for o in offers if o.status is OfferStatus.PENDING}
        assert pending == set(at.volunteers) - {volunteer}
        matched = await told(sessions, Notice.SEEKER_MATCHED, at.request_id)
        released = await told(sessions, Notice.SEEKER_RELEASED, at.request_id)
        withdrawn = await told(sessions, Notice.OFFER_WITHDRAWN, at.request_id)
        if accepted is Answer.ACCEPTED:  # the accept went first; the ban gave the request back
            assert (matched, released, withdrawn) == ([at.seeker], [at.seeker], [])
        else:  # the ban went first: the offer had ended when the accept came
            assert accepted is Answer.OFFER_ENDED
            assert (matched, released, withdrawn) == ([], [], [volunteer])
        async with sessions() as s:
            ended = await outbox(s, kind=Notice.VOLUNTEER_ROLE_ENDED, chat_id=volunteer)
            assert len(ended) == 1
            assert await count(s, AuditEntry, AuditEntry.target_user_id == volunteer) == 1
    assert seen


async def test_the_banned_volunteer_never_keeps_the_request_when_a_ban_and_an_assignment_race(
    engine: AsyncEngine, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    seen = set()
    for trial in range(TRIALS):
        at = await scene(sessions, rules, clock, trial)
        assert at.offers is not None
        volunteer = min(at.offers)
        assigned, banned = await alternating(
            engine,
            trial,
            assigning(sessions, clock, at.request_id, volunteer),
            banning(sessions, rules, clock, volunteer),
        )
        assert banned is Banned.BANNED
        seen.add(assigned)
        request, offers = await stored(sessions, at.request_id)
        # Whichever went first, the request ends open, with the others asked.
        assert (request.status, request.assignee_id) == (RequestStatus.OPEN, None)
        pending = {o.volunteer_id for o in offers if o.status is OfferStatus.PENDING}
        assert pending == set(at.volunteers) - {volunteer}
        released = await told(sessions, Notice.SEEKER_RELEASED, at.request_id)
        if assigned is Outcome.ASSIGNED:  # the assignment went first; the ban gave it back
            assert released == [at.seeker]
        else:
            assert (assigned, released) == (Outcome.NO_VOLUNTEER, [])
    assert seen
