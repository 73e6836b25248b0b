"""Reminders: of meeting occurrences (a day and an hour before, or as the meeting says), of a
skipped date, and of a dated request the evening before. Each is claimed in a log whose key
names it (INSERT ... ON CONFLICT DO NOTHING), and only what this transaction claimed goes to the
outbox: every reminder goes out once, after a restart and with several processes alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for
from db.meeting_models import AssignmentReminder, MeetingRow, ReminderLog
from db.models import HelpRequest, User
from matching.clock import local_now
from matching.meetings import (
    Meeting,
    due,
    epoch_minutes,
    evening_before,
    held_by_quiet_hours,
    local_day,
)
from matching.status import MeetingKind, Priority, RequestStatus, WhenKind
from services.meeting_queries import Member, all_meetings, audience
from services.offering import request_facts
from services.outbox import (
    MeetingReminder,
    MeetingSkipped,
    Payload,
    RequestReminder,
    TaskReminder,
    enqueue_many,
)
from services.rules import Rules

SKIP_NOTICE = -1  # the reminder log's offset for "this date is skipped"


async def _claim(
    session: AsyncSession,
    *,
    meeting_id: int,
    occurrence: datetime,
    offset: int,
    people: Sequence[int],
    now: datetime,
) -> list[int]:
    """The people of `people` for whom this transaction logged the reminder first."""
    if not people:
        return []
    key = {"meeting_id": meeting_id, "occurrence": occurrence, "offset_minutes": offset, "at": now}
    result = await session.execute(
        insert_for(session, ReminderLog)
        .values([key | {"volunteer_id": person} for person in people])
        .on_conflict_do_nothing()
        .returning(ReminderLog.volunteer_id)
    )
    return sorted(result.scalars())


def reminder_key(meeting_id: int, occurrence: datetime, offset: int, person: int) -> str:
    return f"meeting:{meeting_id}:{epoch_minutes(occurrence)}:{offset}:{person}"


def reminder_of(
    row: MeetingRow, rule: Meeting, occurrence: datetime, offset: int
) -> MeetingReminder:
    """The reminder of one occurrence `offset` minutes before it; the first one (the largest
    offset) carries the calendar invitation, with the skipped dates from that day on."""
    day = local_day(rule, occurrence)
    return MeetingReminder(
        meeting_id=row.id,
        occurrence=occurrence,
        title=row.title,
        place=row.place,
        duration_minutes=row.duration_minutes,
        offset_minutes=offset,
        weekly=rule.kind is MeetingKind.WEEKLY,
        tz=rule.tz,
        skipped=tuple(sorted(d for d in rule.skipped if d >= day)),
        invitation=bool(rule.offsets) and offset == max(rule.offsets),
    )


async def _remind(
    session: AsyncSession,
    row: MeetingRow,
    rule: Meeting,
    occurrence: datetime,
    offset: int,
    ready: list[int],
    now: datetime,
) -> int:
    claimed = await _claim(
        session, meeting_id=row.id, occurrence=occurrence, offset=offset, people=ready, now=now
    )
    payload = reminder_of(row, rule, occurrence, offset)
    messages = [
        (reminder_key(row.id, occurrence, offset, p), p, payload, Priority.BULK) for p in claimed
    ]
    await enqueue_many(session, messages, now=now, expires_at=occurrence)
    return len(claimed)


def _awake(members: list[Member], offset: int, offsets: tuple[int, ...], minute: int) -> list[int]:
    return [
        m.volunteer_id
        for m in members
        if not held_by_quiet_hours(offset, offsets, (m.quiet_start, m.quiet_end), minute)
    ]


async def send_due_reminders(session: AsyncSession, *, now: datetime, rules: Rules) -> int:
    """Queue every meeting reminder that is due at `now` and not sent yet: the latest one whose
    time has passed, never once the meeting has begun. Quiet hours hold a reminder (a later
    call sends it, still before the start), except the last one. Returns how many."""
    minute = local_now(now, rules.tz).minute_of_day
    sent = 0
    for row, rule in await all_meetings(session):
        for occurrence, offset in due(rule, now):
            members = await audience(session, row)
            ready = _awake(members, offset, rule.offsets, minute)
            sent += await _remind(session, row, rule, occurrence, offset, ready, now)
    return sent


async def tell_skipped(
    session: AsyncSession, *, row: MeetingRow, occurrence: datetime, now: datetime
) -> int:
    """Tell the meeting's audience once that an occurrence does not take place."""
    members = [m.volunteer_id for m in await audience(session, row)]
    claimed = await _claim(
        session,
        meeting_id=row.id,
        occurrence=occurrence,
        offset=SKIP_NOTICE,
        people=members,
        now=now,
    )
    payload = MeetingSkipped(meeting_id=row.id, occurrence=occurrence, title=row.title)
    key = f"meeting-skip:{row.id}:{epoch_minutes(occurrence)}"
    messages = [(f"{key}:{p}", p, payload, Priority.NOTICE) for p in claimed]
    await enqueue_many(session, messages, now=now, expires_at=occurrence)
    return len(claimed)


async def _claim_assignment(
    session: AsyncSession, request_id: int, people: Sequence[int], now: datetime
) -> set[int]:
    result = await session.execute(
        insert_for(session, AssignmentReminder)
        .values([{"request_id": request_id, "person_id": p, "at": now} for p in people])
        .on_conflict_do_nothing()
        .returning(AssignmentReminder.person_id)
    )
    return set(result.scalars())


async def _names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    found = await session.execute(select(User.id, User.first_name).where(User.id.in_(ids)))
    return {person: name for person, name in found.all()}


async def send_assignment_reminders(session: AsyncSession, *, now: datetime, rules: Rules) -> int:
    """The evening before a request taken for a set date (from rules.assignment_reminder_hour
    until midnight): one reminder to its volunteer and one to its seeker. A request released,
    cancelled or closed by then is not assigned any more and reminds nobody."""
    tomorrow = now.astimezone(rules.tz).date() + timedelta(days=1)
    start, end = evening_before(tomorrow, rules.assignment_reminder_hour, rules.tz)
    if not start <= now < end:
        return 0
    requests = await session.scalars(
        select(HelpRequest).where(
            HelpRequest.status == RequestStatus.ASSIGNED,
            HelpRequest.when_kind == WhenKind.DATE,
            HelpRequest.when_date == tomorrow,
            HelpRequest.assignee_id.is_not(None),
        )
    )
    sent = 0
    for request in list(requests):
        sent += await _remind_assignment(session, request, now, end)
    return sent


async def _remind_assignment(
    session: AsyncSession, request: HelpRequest, now: datetime, expires_at: datetime
) -> int:
    volunteer, seeker = request.assignee_id, request.seeker_id
    assert volunteer is not None and request.when_date is not None
    claimed = await _claim_assignment(session, request.id, (volunteer, seeker), now)
    names = await _names(session, (volunteer, seeker))
    ref, day = request.ref, request.when_date
    messages: list[tuple[str, int, Payload, Priority]] = []
    if volunteer in claimed:
        task = TaskReminder(
            request=request_facts(request),
            day=day,
            seeker_id=seeker,
            seeker_name=names.get(seeker, ""),
        )
        messages.append((f"task-reminder:{request.id}:{volunteer}", volunteer, task, Priority.BULK))
    if seeker in claimed:
        mine = RequestReminder(
            ref=ref,
            request_id=request.id,
            day=day,
            volunteer_id=volunteer,
            volunteer_name=names.get(volunteer, ""),
        )
        messages.append((f"task-reminder:{request.id}:{seeker}", seeker, mine, Priority.BULK))
    await enqueue_many(session, messages, now=now, expires_at=expires_at)
    return len(messages)
