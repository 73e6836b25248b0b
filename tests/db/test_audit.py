"""Each admin action writes one audit row in its own transaction; a refused one writes none.
/audit's page reads them newest first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.role_models import AuditEntry
from matching.status import AuditAction as A
from matching.status import VolunteerStatus
from services import audit
from services.clock import FrozenClock
from services.coordination import (
    CloseReason,
    assign_request,
    close_request,
    escalate_now,
    extend_request,
)
from services.meetings import delete_meeting, set_attendance, set_paused
from services.rules import Rules
from services.volunteers import decide_volunteer, set_lotse
from tests.bot.test_meeting_console import saved_meeting
from tests.conftest import COORDINATOR_ID
from tests.db.test_coordination import at_coordinators, with_volunteers
from tests.factories import add_volunteer

Sessions = async_sessionmaker[AsyncSession]
C, HELPER, PENDING = COORDINATOR_ID, 11, 12


async def rows(sessions: Sessions) -> list[tuple[A, int, int | None, int | None]]:
    async with sessions() as s:
        found = await s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, r.actor_id, r.target_user_id, r.target_request_id) for r in found]


async def test_volunteer_actions_write_one_row_each_when_they_change_something(
    sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, PENDING, now=clock.now(), status=VolunteerStatus.PENDING)
    now = clock.now()
    async with sessions() as s, s.begin():
        await decide_volunteer(s, coordinator_id=C, volunteer_id=PENDING, approve=True, now=now)
        await decide_volunteer(s, coordinator_id=C, volunteer_id=PENDING, approve=False, now=now)
        await set_lotse(s, volunteer_id=PENDING, is_lotse=True, actor_id=C, now=now)
        await set_lotse(s, volunteer_id=PENDING, is_lotse=True, actor_id=C, now=now)
        await set_lotse(s, volunteer_id=PENDING, is_lotse=False, actor_id=C, now=now)
    assert await rows(sessions) == [
        (A.VOLUNTEER_APPROVED, C, PENDING, None),
        (A.LOTSE_SET, C, PENDING, None),
        (A.LOTSE_UNSET, C, PENDING, None),
    ]


async def test_request_actions_write_one_row_each_when_done(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    await with_volunteers(sessions, clock, HELPER, districts=("porz",))
    req = await at_coordinators(sessions, seeker, rules, clock)
    other = await at_coordinators(sessions, seeker, rules, clock)
    now = clock.now()
    async with sessions() as s, s.begin():
        await extend_request(s, request_id=req, coordinator_id=C, rules=rules, now=now)
        await escalate_now(s, request_id=req, coordinator_id=C, rules=rules, now=now)
    async with sessions() as s, s.begin():
        await assign_request(s, request_id=req, volunteer_id=HELPER, coordinator_id=C, now=now)
    async with sessions() as s, s.begin():
        await close_request(
            s, request_id=other, coordinator_id=C, reason=CloseReason.SOLVED, now=now
        )
        # an assigned request does not close by this button: refused, no row
        await close_request(s, request_id=req, coordinator_id=C, reason=CloseReason.SOLVED, now=now)
    assert await rows(sessions) == [
        (A.REQUEST_EXTENDED, C, None, req),
        (A.ESCALATED_NOW, C, None, req),
        (A.REQUEST_ASSIGNED, C, HELPER, req),
        (A.REQUEST_CLOSED, C, None, other),
    ]


async def test_meeting_actions_write_one_row_each_when_done(
    sessions: Sessions, clock: FrozenClock
) -> None:
    meeting = await saved_meeting(sessions, clock, volunteers=1)
    now = clock.now()
    async with sessions() as s, s.begin():
        await set_paused(s, meeting_id=meeting, paused=True, actor_id=C, now=now)
        await set_paused(s, meeting_id=meeting, paused=False, actor_id=C, now=now)
        await set_attendance(
            s, meeting_id=meeting, occurrence=now, volunteer_id=HELPER, attended=True,
            actor_id=C, now=now,
        )  # fmt: skip
        await delete_meeting(s, meeting_id=meeting, actor_id=C, now=now)
        await delete_meeting(s, meeting_id=meeting, actor_id=C, now=now)  # gone: no row
    assert [(a, u) for a, _, u, _ in await rows(sessions)] == [
        (A.MEETING_CREATED, None),
        (A.MEETING_PAUSED, None),
        (A.MEETING_RESUMED, None),
        (A.ATTENDANCE_MARKED, HELPER),
        (A.MEETING_DELETED, None),
    ]


async def test_the_page_goes_newest_first_and_pages_when_there_are_more_than_twenty(
    sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        for i in range(45):
            at = clock.now() + timedelta(minutes=i)
            await audit.record(s, actor_id=C, action=A.LOTSE_SET, now=at, target_user_id=i + 1)
    async with sessions() as s:
        first = await audit.page(s)
        last = await audit.page(s, offset=40)
    assert [line.target_user_id for line in first.lines] == list(range(45, 25, -1))
    assert (first.has_newer, first.has_older) == (False, True)
    assert [line.target_user_id for line in last.lines] == [5, 4, 3, 2, 1]
    assert (last.has_newer, last.has_older) == (True, False)
