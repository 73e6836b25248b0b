"""Meetings and events as use cases: create, edit, pause, skip a date, delete; answers,
attendance and opt-outs. Reminders are sent by services/meeting_reminders.py."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for
from db.meeting_models import Attendance, MeetingOptout, MeetingRow, MeetingSkip, Rsvp
from db.models import OutboxMessage, OutboxStatus
from matching.meetings import (
    DEFAULT_OFFSETS,
    Meeting,
    Refusal,
    epoch_minutes,
    occurrences,
    refuse_reason,
    start_on,
)
from matching.status import Audience, MeetingKind, RsvpAnswer
from matching.status import AuditAction as A
from services.audit import on_meeting
from services.meeting_queries import load_meeting
from services.meeting_reminders import tell_skipped


@dataclass(frozen=True)
class MeetingDraft:
    """What a coordinator enters for a meeting."""

    title: str
    kind: MeetingKind
    start: time
    tz: str = "Europe/Berlin"
    weekday: int | None = None
    on: date | None = None
    duration_minutes: int = 90
    place: str | None = None
    audience: Audience = Audience.ALL
    audience_values: tuple[str, ...] = ()
    offsets: tuple[int, ...] = DEFAULT_OFFSETS

    @classmethod
    def of(cls, row: MeetingRow) -> MeetingDraft:
        """A stored meeting as the coordinator entered it, to be changed."""
        return cls(
            title=row.title,
            kind=row.kind,
            start=row.local_time,
            tz=row.tz,
            weekday=row.weekday,
            on=row.date,
            duration_minutes=row.duration_minutes,
            place=row.place,
            audience=row.audience,
            audience_values=tuple(row.audience_values),
            offsets=tuple(row.reminder_offsets),
        )

    def as_rule(self) -> Meeting:
        return Meeting(
            title=self.title,
            kind=self.kind,
            start=self.start,
            tz=self.tz,
            weekday=self.weekday if self.kind is MeetingKind.WEEKLY else None,
            on=self.on if self.kind is MeetingKind.ONCE else None,
            duration_minutes=self.duration_minutes,
            offsets=self.offsets,
        )


class Done(enum.StrEnum):
    SAVED = "saved"
    UNKNOWN = "unknown"  # no such meeting (deleted meanwhile)
    NO_SUCH_DATE = "no_such_date"  # the meeting does not take place then
    ALREADY = "already"  # skipped before


@dataclass(frozen=True)
class Saved:
    """A meeting saved (its id), or why not (a refusal from the rules, or Done.UNKNOWN)."""

    meeting_id: int | None
    refusal: Refusal | None = None
    done: Done = Done.SAVED


def _columns(draft: MeetingDraft) -> dict[str, object]:
    rule = draft.as_rule()
    return {
        "title": draft.title,
        "kind": draft.kind,
        "weekday": rule.weekday,
        "date": rule.on,
        "local_time": draft.start,
        "tz": draft.tz,
        "duration_minutes": draft.duration_minutes,
        "place": draft.place,
        "audience": draft.audience,
        "audience_values": list(draft.audience_values),
        "reminder_offsets": sorted(set(draft.offsets), reverse=True),
    }


async def create_meeting(
    session: AsyncSession, *, draft: MeetingDraft, created_by: int, now: datetime
) -> Saved:
    """A new meeting, or the rules' refusal (a start between 02:00 and 03:00, no day...)."""
    if (refusal := refuse_reason(draft.as_rule())) is not None:
        return Saved(None, refusal)
    row = MeetingRow(**_columns(draft), paused=False, created_by=created_by, created_at=now)
    session.add(row)
    await session.flush()
    await on_meeting(session, created_by, A.MEETING_CREATED, row.id, now)
    return Saved(row.id)


async def edit_meeting(
    session: AsyncSession, *, meeting_id: int, draft: MeetingDraft, actor_id: int, now: datetime
) -> Saved:
    if (refusal := refuse_reason(draft.as_rule())) is not None:
        return Saved(meeting_id, refusal)
    result = await session.execute(
        update(MeetingRow).where(MeetingRow.id == meeting_id).values(**_columns(draft))
    )
    done = await _audited(result, session, actor_id, A.MEETING_EDITED, meeting_id, now)
    return Saved(meeting_id, done=done)


async def _audited(
    result: Any, session: AsyncSession, actor_id: int, action: A, meeting_id: int, now: datetime
) -> Done:
    """SAVED and an audit row if the statement changed the meeting, else UNKNOWN."""
    if not result.rowcount:
        return Done.UNKNOWN
    await on_meeting(session, actor_id, action, meeting_id, now)
    return Done.SAVED


async def set_paused(
    session: AsyncSession, *, meeting_id: int, paused: bool, actor_id: int, now: datetime
) -> Done:
    """Pause a meeting (no occurrences, no reminders) or resume it."""
    result = await session.execute(
        update(MeetingRow).where(MeetingRow.id == meeting_id).values(paused=paused)
    )
    action = A.MEETING_PAUSED if paused else A.MEETING_RESUMED
    return await _audited(result, session, actor_id, action, meeting_id, now)


async def delete_meeting(
    session: AsyncSession, *, meeting_id: int, actor_id: int, now: datetime
) -> Done:
    await _cancel_pending(session, f"meeting:{meeting_id}:")
    result = await session.execute(delete(MeetingRow).where(MeetingRow.id == meeting_id))
    return await _audited(result, session, actor_id, A.MEETING_DELETED, meeting_id, now)


async def _cancel_pending(session: AsyncSession, key_prefix: str) -> None:
    """Reminders queued but not sent for what no longer takes place."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.startswith(key_prefix, autoescape=True),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED)
    )


async def skip_date(
    session: AsyncSession, *, meeting_id: int, day: date, actor_id: int, now: datetime
) -> Done:
    """The meeting does not take place on local `day`: no reminders, and one notice to its
    audience (once, however often this is called)."""
    loaded = await load_meeting(session, meeting_id)
    if loaded is None:
        return Done.UNKNOWN
    row, rule = loaded
    start = start_on(rule, day)
    if occurrences(replace(rule, skipped=frozenset()), start, start + timedelta(minutes=1)) != [
        start
    ]:
        return Done.NO_SUCH_DATE
    inserted = await session.execute(
        insert_for(session, MeetingSkip)
        .values(meeting_id=meeting_id, date=day)
        .on_conflict_do_nothing()
        .returning(MeetingSkip.date)
    )
    if inserted.first() is None:
        return Done.ALREADY
    await _cancel_pending(session, f"meeting:{meeting_id}:{epoch_minutes(start)}:")
    if start > now:
        await tell_skipped(session, row=row, occurrence=start, now=now)
    await on_meeting(session, actor_id, A.MEETING_SKIPPED, meeting_id, now)
    return Done.SAVED


async def answer(
    session: AsyncSession,
    *,
    meeting_id: int,
    occurrence: datetime,
    volunteer_id: int,
    rsvp: RsvpAnswer,
    now: datetime,
) -> Done:
    """A volunteer's yes or no to one occurrence; a second answer replaces the first."""
    loaded = await load_meeting(session, meeting_id)
    if loaded is None:
        return Done.UNKNOWN
    if occurrences(loaded[1], occurrence, occurrence + timedelta(minutes=1)) != [occurrence]:
        return Done.NO_SUCH_DATE
    values = {"answer": rsvp, "answered_at": now}
    await session.execute(
        insert_for(session, Rsvp)
        .values(meeting_id=meeting_id, occurrence=occurrence, volunteer_id=volunteer_id, **values)
        .on_conflict_do_update(
            index_elements=["meeting_id", "occurrence", "volunteer_id"], set_=values
        )
    )
    return Done.SAVED


async def set_attendance(
    session: AsyncSession,
    *,
    meeting_id: int,
    occurrence: datetime,
    volunteer_id: int,
    attended: bool,
    actor_id: int,
    now: datetime,
) -> None:
    """A coordinator marks who came (or takes it back)."""
    await on_meeting(session, actor_id, A.ATTENDANCE_MARKED, meeting_id, now, volunteer_id)
    await session.execute(
        insert_for(session, Attendance)
        .values(
            meeting_id=meeting_id,
            occurrence=occurrence,
            volunteer_id=volunteer_id,
            attended=attended,
        )
        .on_conflict_do_update(
            index_elements=["meeting_id", "occurrence", "volunteer_id"], set_={"attended": attended}
        )
    )


async def opt_out(session: AsyncSession, *, volunteer_id: int, meeting_id: int | None) -> None:
    """No more reminders of one meeting, or (meeting_id None) of any."""
    found = await session.scalar(
        select(MeetingOptout.id).where(
            MeetingOptout.volunteer_id == volunteer_id,
            MeetingOptout.meeting_id.is_(meeting_id)
            if meeting_id is None
            else MeetingOptout.meeting_id == meeting_id,
        )
    )
    if found is None:
        session.add(MeetingOptout(volunteer_id=volunteer_id, meeting_id=meeting_id))
        await session.flush()


async def opt_in(session: AsyncSession, *, volunteer_id: int, meeting_id: int | None) -> None:
    """Reminders again: of one meeting, or (meeting_id None) all opt-outs undone."""
    query = delete(MeetingOptout).where(MeetingOptout.volunteer_id == volunteer_id)
    if meeting_id is not None:
        query = query.where(MeetingOptout.meeting_id == meeting_id)
    await session.execute(query)
