"""The coordinators' volunteer filter: each standing and each key picks exactly the volunteers
it names; pages never overlap; a broadcast's recipients are the filter's volunteers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.meeting_models import Attendance
from matching.status import Standing, VolunteerStatus
from services.clock import FrozenClock
from services.volunteer_queries import (
    VolunteerFilter,
    count_volunteers,
    volunteer_ids,
    volunteer_page,
)
from tests.bot.test_meeting_console import saved_meeting
from tests.factories import add_offer, add_request, add_user, add_volunteer

Sessions = async_sessionmaker[AsyncSession]
PLAIN, LOTSE, PAUSED, PENDING, GONE, BANNED, QUIET, BUSY, CAME = range(101, 110)


async def people(sessions: Sessions, clock: FrozenClock) -> None:
    now, old = clock.now(), clock.now() - timedelta(days=120)
    async with sessions() as s, s.begin():
        await add_volunteer(s, PLAIN, now=now, skills=("school",), languages=("de", "uk"))
        await add_volunteer(s, LOTSE, now=now, is_lotse=True, districts=("kalk",))
        await add_volunteer(s, PAUSED, now=now, paused=True)
        await add_volunteer(s, PENDING, now=now, status=VolunteerStatus.PENDING)
        await add_volunteer(s, GONE, now=now, reachable=False)
        await add_volunteer(s, BANNED, now=now, status=VolunteerStatus.BANNED)
        await add_volunteer(s, QUIET, now=old)  # joined long ago, never answered
        await add_volunteer(s, BUSY, now=old)  # joined long ago, answered an offer lately
        await add_volunteer(s, CAME, now=old)  # joined long ago, came to a meeting lately
    meeting = await saved_meeting(sessions, clock, volunteers=0)
    async with sessions() as s, s.begin():
        await add_user(s, 900, now=now)
        request = await add_request(s, seeker_id=900, now=now)
        ten_days_ago = now - timedelta(days=10)
        offer = await add_offer(
            s, request_id=request.id, volunteer_id=BUSY, created_at=ten_days_ago
        )
        offer.answered_at = ten_days_ago
        s.add(Attendance(meeting_id=meeting, occurrence=now, volunteer_id=CAME, attended=True))


async def picked(sessions: Sessions, clock: FrozenClock, f: VolunteerFilter) -> list[int]:
    async with sessions() as s:
        ids = await volunteer_ids(s, f, now=clock.now())
        assert await count_volunteers(s, f, now=clock.now()) == len(ids)
        return ids


async def test_each_standing_picks_the_volunteers_it_names_when_filtered(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await people(sessions, clock)
    approved = [PLAIN, LOTSE, PAUSED, GONE, QUIET, BUSY, CAME]
    expected = {
        Standing.APPROVED: approved,
        Standing.LOTSE: [LOTSE],
        Standing.PAUSED: [PAUSED],
        Standing.PENDING: [PENDING],
        Standing.UNREACHABLE: [GONE],
        Standing.INACTIVE: [QUIET],
        Standing.BANNED: [BANNED],
    }
    for standing, ids in expected.items():
        assert await picked(sessions, clock, VolunteerFilter(standing=standing)) == ids, standing


async def test_keys_narrow_the_volunteers_when_a_skill_district_or_language_is_chosen(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await people(sessions, clock)
    assert await picked(sessions, clock, VolunteerFilter(skill="school")) == [PLAIN]
    assert await picked(sessions, clock, VolunteerFilter(district="kalk")) == [LOTSE]
    assert await picked(sessions, clock, VolunteerFilter(language="uk")) == [PLAIN]
    assert await picked(sessions, clock, VolunteerFilter(skill="school", district="kalk")) == []


async def test_pages_cover_everyone_once_when_the_list_is_long(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await people(sessions, clock)
    seen: list[int] = []
    async with sessions() as s:
        for page in range(4):
            lines = await volunteer_page(
                s, VolunteerFilter(), now=clock.now(), page=page, per_page=2
            )
            seen += [line.user_id for line in lines]
    assert sorted(seen) == [PLAIN, LOTSE, PAUSED, GONE, QUIET, BUSY, CAME]
