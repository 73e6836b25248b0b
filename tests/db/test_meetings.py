"""Meeting and assignment reminders go out once: after a downtime, with two processes, never
after the start, none for a skipped date (whose audience is told once)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import OutboxMessage
from matching.meetings import Refusal
from matching.status import MeetingKind, RequestStatus, WhenKind
from services.meeting_reminders import send_assignment_reminders, send_due_reminders
from services.meetings import Done, MeetingDraft, create_meeting, skip_date
from services.rules import Rules
from tests.factories import add_request, add_user, add_volunteer
from tests.racing import race

# Thursdays 18:30 Berlin; 26 March 2026 is 17:30 UTC (CET), 2 April 16:30 UTC (CEST).
THURSDAY = MeetingDraft(title="Helpers", kind=MeetingKind.WEEKLY, weekday=3, start=time(18, 30))
START = datetime(2026, 3, 26, 17, 30, tzinfo=UTC)
T = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


async def _setup(sessions: async_sessionmaker[AsyncSession], volunteers: int = 3) -> int:
    async with sessions() as s, s.begin():
        for n in range(volunteers):
            await add_volunteer(s, 800_000 + n, now=T)
        saved = await create_meeting(s, draft=THURSDAY, created_by=1, now=T)
    assert saved.meeting_id is not None
    return saved.meeting_id


async def _kinds(sessions: async_sessionmaker[AsyncSession], kind: str) -> int:
    async with sessions() as s:
        count = await s.scalar(select(func.count()).where(OutboxMessage.kind == kind))
    return int(count or 0)


async def _tick(sessions: async_sessionmaker[AsyncSession], rules: Rules, now: datetime) -> int:
    async with sessions() as s, s.begin():
        return await send_due_reminders(s, now=now, rules=rules)


async def test_a_meeting_is_refused_when_it_starts_at_0230(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    draft = MeetingDraft(title="x", kind=MeetingKind.WEEKLY, weekday=6, start=time(2, 30))
    async with sessions() as s, s.begin():
        saved = await create_meeting(s, draft=draft, created_by=1, now=T)
    assert saved.meeting_id is None and saved.refusal is Refusal.DST_HOUR


async def test_each_reminder_goes_out_once_when_ticks_repeat_and_the_bot_restarts(
    sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    await _setup(sessions)
    assert await _tick(sessions, rules, START - timedelta(hours=25)) == 0
    assert await _tick(sessions, rules, START - timedelta(hours=23)) == 3  # the day before
    assert await _tick(sessions, rules, START - timedelta(hours=22)) == 0
    # Down from 23 hours before until 20 minutes before: the hour reminder goes out at start.
    assert await _tick(sessions, rules, START - timedelta(minutes=20)) == 3
    assert await _tick(sessions, rules, START - timedelta(minutes=19)) == 0
    assert await _kinds(sessions, "meeting_reminder") == 6


async def test_no_reminder_is_sent_when_the_meeting_has_begun(
    sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    await _setup(sessions)
    assert await _tick(sessions, rules, START + timedelta(minutes=5)) == 0
    assert await _kinds(sessions, "meeting_reminder") == 0


async def test_two_processes_send_each_reminder_once_when_they_race(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    await _setup(sessions, volunteers=5)
    now = START - timedelta(minutes=30)
    results, _overlapped = await race(
        engine, lambda: _tick(sessions, rules, now), lambda: _tick(sessions, rules, now)
    )
    assert sorted(results) == [0, 5]
    assert await _kinds(sessions, "meeting_reminder") == 5


async def test_a_skipped_date_sends_no_reminder_and_tells_the_audience_once(
    sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    meeting_id = await _setup(sessions)
    for _ in range(2):
        async with sessions() as s, s.begin():
            await skip_date(s, actor_id=1, meeting_id=meeting_id, day=date(2026, 3, 26), now=T)
    assert await _kinds(sessions, "meeting_skipped") == 3
    assert await _tick(sessions, rules, START - timedelta(minutes=30)) == 0
    # The week after reminds again.
    assert await _tick(sessions, rules, datetime(2026, 4, 2, 16, 0, tzinfo=UTC)) == 3


async def test_skipping_a_day_without_the_meeting_is_refused_when_the_weekday_differs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    meeting_id = await _setup(sessions)
    async with sessions() as s, s.begin():
        done = await skip_date(s, actor_id=1, meeting_id=meeting_id, day=date(2026, 3, 27), now=T)
    assert done is Done.NO_SUCH_DATE


async def _dated_request(sessions: async_sessionmaker[AsyncSession], status: RequestStatus) -> None:
    async with sessions() as s, s.begin():
        await add_user(s, 700_001, now=T)
        await add_volunteer(s, 800_100, now=T)
        request = await add_request(s, seeker_id=700_001, now=T, status=status, assignee_id=800_100)
        request.when_kind, request.when_date = WhenKind.DATE, date(2026, 3, 30)


async def _assignment_tick(
    sessions: async_sessionmaker[AsyncSession], rules: Rules, now: datetime
) -> int:
    async with sessions() as s, s.begin():
        return await send_assignment_reminders(s, now=now, rules=rules)


async def test_both_sides_are_reminded_once_the_evening_before_when_a_dated_request_is_taken(
    sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    await _dated_request(sessions, RequestStatus.ASSIGNED)
    # 29 March 2026 (the spring change): 18:00 local is 16:00 UTC.
    assert await _assignment_tick(sessions, rules, datetime(2026, 3, 29, 15, 50, tzinfo=UTC)) == 0
    assert await _assignment_tick(sessions, rules, datetime(2026, 3, 29, 16, 5, tzinfo=UTC)) == 2
    assert await _assignment_tick(sessions, rules, datetime(2026, 3, 29, 19, 0, tzinfo=UTC)) == 0
    assert await _kinds(sessions, "task_reminder") == 1
    assert await _kinds(sessions, "request_reminder") == 1


async def test_both_sides_are_reminded_once_when_two_processes_race_the_evening_before(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    await _dated_request(sessions, RequestStatus.ASSIGNED)
    now = datetime(2026, 3, 29, 16, 5, tzinfo=UTC)
    results, _overlapped = await race(
        engine,
        lambda: _assignment_tick(sessions, rules, now),
        lambda: _assignment_tick(sessions, rules, now),
    )
    assert sorted(results) == [0, 2]
    assert await _kinds(sessions, "task_reminder") == 1
    assert await _kinds(sessions, "request_reminder") == 1


async def test_nobody_is_reminded_when_the_request_was_released_or_cancelled(
    sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    await _dated_request(sessions, RequestStatus.CANCELLED)
    assert await _assignment_tick(sessions, rules, datetime(2026, 3, 29, 16, 5, tzinfo=UTC)) == 0
