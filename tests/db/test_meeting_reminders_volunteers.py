"""What a volunteer's reminders carry and when they wait: the first reminder of an occurrence
carries the calendar invitation (the later ones do not), and quiet hours hold every reminder
but the last one before the start."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import OutboxMessage
from matching.status import MeetingKind
from services.meeting_reminders import send_due_reminders
from services.meetings import MeetingDraft, create_meeting, skip_date
from services.rules import Rules
from tests.factories import add_volunteer

# Thursdays 18:30 Berlin; 26 March 2026 is 17:30 UTC (CET).
THURSDAY = MeetingDraft(title="Helpers", kind=MeetingKind.WEEKLY, weekday=3, start=time(18, 30))
START = datetime(2026, 3, 26, 17, 30, tzinfo=UTC)
T = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
NIGHT = (22 * 60, 7 * 60)
AWAKE, SLEEPER = 810_001, 810_002


async def _setup(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s, s.begin():
        await add_volunteer(s, AWAKE, now=T)
        await add_volunteer(s, SLEEPER, now=T, quiet=NIGHT)
        saved = await create_meeting(s, draft=THURSDAY, created_by=1, now=T)
    assert saved.meeting_id is not None
    return saved.meeting_id


async def _tick(sessions: async_sessionmaker[AsyncSession], rules: Rules, now: datetime) -> int:
    async with sessions() as s, s.begin():
        return await send_due_reminders(s, now=now, rules=rules)


async def _payloads(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, Any]]:
    async with sessions() as s:
        rows = await s.execute(
            select(OutboxMessage.chat_id, OutboxMessage.payload).order_by(OutboxMessage.id)
        )
    return [(chat, payload) for chat, payload in rows.all()]


async def test_only_the_first_reminder_carries_the_invitation_when_both_go_out(
    sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    meeting_id = await _setup(sessions)
    async with sessions() as s, s.begin():
        await skip_date(s, actor_id=1, meeting_id=meeting_id, day=date(2026, 4, 9), now=T)
    await _tick(sessions, rules, START - timedelta(hours=23))
    await _tick(sessions, rules, START - timedelta(minutes=50))
    reminders = [p for _, p in await _payloads(sessions) if "offset_minutes" in p]
    assert [(p["offset_minutes"], p["invitation"]) for p in reminders] == [
        (1440, True),
        (1440, True),
        (60, False),
        (60, False),
    ]
    assert reminders[0]["skipped"] == ["2026-04-09"] and reminders[0]["weekly"] is True


async def test_quiet_hours_hold_the_day_before_but_not_the_last_reminder_when_it_is_night(
    sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> None:
    await _setup(sessions)
    # 23:00 in Berlin the evening before (19.5 hours to go): the sleeper waits.
    night = datetime(2026, 3, 25, 22, 0, tzinfo=UTC)
    assert await _tick(sessions, rules, night) == 1
    morning = datetime(2026, 3, 26, 7, 0, tzinfo=UTC)  # 08:00 in Berlin: awake again
    assert await _tick(sessions, rules, morning) == 1
    assert [chat for chat, _ in await _payloads(sessions)] == [AWAKE, SLEEPER]
    # The last reminder goes out at once, quiet hours or not.
    await _tick(sessions, rules, START - timedelta(minutes=30))
    assert [chat for chat, _ in await _payloads(sessions)][2:] == [AWAKE, SLEEPER]
