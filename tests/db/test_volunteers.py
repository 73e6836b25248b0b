"""Volunteer profiles, approval by coordinators, and pausing or quiet hours taking effect."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.candidates import find_candidates
from db.models import OutboxStatus, Volunteer
from matching.clock import local_now
from matching.model import RequestSpec
from matching.status import VolunteerStatus
from services.clock import FrozenClock
from services.outbox import ApprovedNotice, Notice, enqueue
from services.roles import seed
from services.rules import Rules
from services.volunteers import (
    Decided,
    Profile,
    Saved,
    decide_volunteer,
    pause,
    resume,
    save_profile,
    set_quiet_hours,
)
from tests.conftest import COORDINATOR_ID
from tests.factories import DISTRICT, LANGUAGE, SKILL, add_user, add_volunteer, outbox

Sessions = async_sessionmaker[AsyncSession]
VOLUNTEER = 11
PROFILE = Profile(frozenset({SKILL}), frozenset({DISTRICT}), frozenset({LANGUAGE, "uk"}))
COORDINATORS = Rules(coordinators=(COORDINATOR_ID, 900_002), coordinator_chat_id=-100_123)


async def sign_up(sessions: Sessions, clock: FrozenClock, rules: Rules = COORDINATORS) -> Saved:
    async with sessions() as s, s.begin():
        await add_user(s, VOLUNTEER, now=clock.now())
        await seed(s, rules.coordinators, now=clock.now())  # as at start: the table is asked
        return await save_profile(
            s, user_id=VOLUNTEER, profile=PROFILE, rules=rules, now=clock.now()
        )


async def decide(sessions: Sessions, clock: FrozenClock, *, approve: bool, by: int) -> Decided:
    async with sessions() as s, s.begin():
        return await decide_volunteer(
            s, coordinator_id=by, volunteer_id=VOLUNTEER, approve=approve, now=clock.now()
        )


async def test_profile_waits_and_every_coordinator_is_asked_when_a_volunteer_signs_up(
    sessions: Sessions, clock: FrozenClock
) -> None:
    assert await sign_up(sessions, clock) is Saved.SUBMITTED
    async with sessions() as s, s.begin():
        volunteer = await s.get(Volunteer, VOLUNTEER)
        assert volunteer is not None and volunteer.status is VolunteerStatus.PENDING
        asked = await outbox(s, kind=Notice.APPROVAL_REQUEST)
        assert sorted(m.chat_id for m in asked) == sorted([COORDINATOR_ID, 900_002, -100_123])
        assert asked[0].payload["languages"] == ["de", "uk"]
        changed = Profile(PROFILE.skills, frozenset({"porz"}), PROFILE.languages)
        again = await save_profile(
            s, user_id=VOLUNTEER, profile=changed, rules=COORDINATORS, now=clock.now()
        )
        assert again is Saved.UPDATED
        assert len(await outbox(s)) == 3


async def test_volunteer_is_told_and_every_approval_message_edited_when_approved(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await sign_up(sessions, clock)
    async with sessions() as s, s.begin():
        first = (await outbox(s, kind=Notice.APPROVAL_REQUEST))[0]
        first.status, first.message_id = OutboxStatus.SENT, 4242
    assert await decide(sessions, clock, approve=True, by=900_002) is Decided.APPROVED
    async with sessions() as s:
        volunteer = await s.get(Volunteer, VOLUNTEER)
        assert volunteer is not None
        assert (volunteer.status, volunteer.decided_by) == (VolunteerStatus.APPROVED, 900_002)
        assert [m.chat_id for m in await outbox(s, kind=Notice.VOLUNTEER_APPROVED)] == [VOLUNTEER]
        asked = {m.id: m for m in await outbox(s, kind=Notice.APPROVAL_REQUEST)}
        edits = await outbox(s, kind=Notice.APPROVAL_DONE)
        assert sorted(m.edit_of for m in edits if m.edit_of) == sorted(asked)
        assert all(m.payload["by"] == 900_002 and m.payload["approved"] for m in edits)
        assert [m.status for m in asked.values()] == [
            OutboxStatus.SENT,
            OutboxStatus.CANCELLED,
            OutboxStatus.CANCELLED,
        ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(True, False, id="reject-after-approve"),
        pytest.param(False, True, id="approve-after-reject"),
        pytest.param(True, True, id="approve-twice"),
    ],
)
async def test_the_second_decision_changes_nothing_when_a_coordinator_decided_already(
    sessions: Sessions, clock: FrozenClock, first: bool, second: bool
) -> None:
    await sign_up(sessions, clock)
    await decide(sessions, clock, approve=first, by=COORDINATOR_ID)
    already = Decided.ALREADY_APPROVED if first else Decided.ALREADY_REJECTED
    assert await decide(sessions, clock, approve=second, by=900_002) is already
    async with sessions() as s:
        volunteer = await s.get(Volunteer, VOLUNTEER)
        assert volunteer is not None and volunteer.decided_by == COORDINATOR_ID
        assert len(await outbox(s, kind=Notice.APPROVAL_DONE)) == 3
        told = [m.kind for m in await outbox(s, chat_id=VOLUNTEER)]
        assert told == [Notice.VOLUNTEER_APPROVED if first else Notice.VOLUNTEER_REJECTED]


async def test_deciding_finds_nobody_when_the_volunteer_never_signed_up(
    sessions: Sessions, clock: FrozenClock
) -> None:
    assert await decide(sessions, clock, approve=True, by=COORDINATOR_ID) is Decided.NOT_FOUND


async def test_the_decision_is_sent_once_when_its_dedupe_key_exists(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await sign_up(sessions, clock)
    async with sessions() as s, s.begin():
        await enqueue(
            s,
            chat_id=VOLUNTEER,
            payload=ApprovedNotice(),
            dedupe_key=f"decided:{VOLUNTEER}",
            now=clock.now(),
        )
    await decide(sessions, clock, approve=True, by=COORDINATOR_ID)
    async with sessions() as s:
        assert len(await outbox(s, chat_id=VOLUNTEER)) == 1


async def eligible(sessions: Sessions, rules: Rules, clock: FrozenClock) -> bool:
    async with sessions() as s:
        found = await find_candidates(
            s,
            RequestSpec(id=1, skill=SKILL, district=DISTRICT, language=LANGUAGE),
            local_now(clock.now(), rules.tz),
            tz=rules.tz,
            limit=3,
            default_cap=rules.default_daily_cap,
        )
    return [v.user_id for v in found] == [VOLUNTEER]


async def test_eligibility_follows_pause_resume_and_quiet_hours_when_the_volunteer_changes_them(
    sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, VOLUNTEER, now=clock.now())
    today = local_now(clock.now(), rules.tz).local_date
    minute = local_now(clock.now(), rules.tz).minute_of_day
    changes = [
        (partial(pause, user_id=VOLUNTEER, until=None), False),
        (partial(resume, user_id=VOLUNTEER), True),
        (partial(pause, user_id=VOLUNTEER, until=today), False),
        (partial(pause, user_id=VOLUNTEER, until=today - timedelta(days=1)), True),
        (partial(resume, user_id=VOLUNTEER), True),
        (partial(set_quiet_hours, user_id=VOLUNTEER, start=minute, end=minute + 60), False),
        (partial(set_quiet_hours, user_id=VOLUNTEER, start=minute + 60, end=minute + 1), False),
        (partial(set_quiet_hours, user_id=VOLUNTEER, start=minute + 1, end=minute), True),
        (partial(set_quiet_hours, user_id=VOLUNTEER, start=None, end=None), True),
    ]
    assert await eligible(sessions, rules, clock)
    for step, (change, expected) in enumerate(changes):
        async with sessions() as s, s.begin():
            assert await change(s)
        assert await eligible(sessions, rules, clock) is expected, step
