"""A volunteer's view of the meetings: the next ones for the audience they belong to, with
their answers, and whether they get reminders of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.meeting_models import MeetingOptout, MeetingRow, Rsvp
from db.models import Volunteer
from matching.meetings import occurrences
from matching.status import RsvpAnswer
from services.meeting_queries import all_meetings, member_query
from services.meeting_reminders import reminder_of
from services.outbox import MeetingReminder

HORIZON = timedelta(days=366)  # how far ahead a meeting's next date is looked for
SHOWN = 5


@dataclass(frozen=True)
class Upcoming:
    """One meeting's next date as its reminder shows it, the reader's answer, and whether
    they asked for no reminders of it."""

    reminder: MeetingReminder
    answer: RsvpAnswer | None
    muted: bool


async def muted_meetings(session: AsyncSession, volunteer_id: int) -> set[int | None]:
    """The meetings whose reminders the volunteer turned off (None: all of them)."""
    found = await session.scalars(
        select(MeetingOptout.meeting_id).where(MeetingOptout.volunteer_id == volunteer_id)
    )
    return set(found)


async def next_meetings(
    session: AsyncSession, *, volunteer_id: int, now: datetime
) -> list[Upcoming]:
    """The next date of each meeting the volunteer belongs to the audience of, soonest first
    (at most SHOWN)."""
    muted = await muted_meetings(session, volunteer_id)
    found: list[Upcoming] = []
    for row, rule in await all_meetings(session):
        starts = occurrences(rule, now, now + HORIZON)
        if not starts or not await _member(session, row, volunteer_id):
            continue
        answer = await session.scalar(
            select(Rsvp.answer).where(
                Rsvp.meeting_id == row.id,
                Rsvp.occurrence == starts[0],
                Rsvp.volunteer_id == volunteer_id,
            )
        )
        reminder = reminder_of(row, rule, starts[0], 0)
        found.append(Upcoming(reminder, answer, row.id in muted))
    return sorted(found, key=lambda u: u.reminder.occurrence)[:SHOWN]


async def _member(session: AsyncSession, row: MeetingRow, volunteer_id: int) -> bool:
    query = member_query(row).where(Volunteer.user_id == volunteer_id)
    return await session.scalar(query) is not None
