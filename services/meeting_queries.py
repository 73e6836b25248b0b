"""Reads about meetings: the rules' view of a stored meeting, its audience, and who answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.meeting_models import Attendance, MeetingOptout, MeetingRow, MeetingSkip, Rsvp
from db.models import User, Volunteer, VolunteerDistrict, VolunteerSkill
from matching.meetings import Meeting
from matching.status import Audience, RsvpAnswer, VolunteerStatus


@dataclass(frozen=True)
class Member:
    """One person a meeting's messages go to."""

    volunteer_id: int
    name: str
    quiet_start: int | None = None
    quiet_end: int | None = None


@dataclass(frozen=True)
class RsvpSummary:
    yes: list[Member] = field(default_factory=list)
    no: list[Member] = field(default_factory=list)
    unanswered: list[Member] = field(default_factory=list)


def as_rule(row: MeetingRow, skipped: frozenset[date] = frozenset()) -> Meeting:
    return Meeting(
        title=row.title,
        kind=row.kind,
        start=row.local_time,
        tz=row.tz,
        weekday=row.weekday,
        on=row.date,
        duration_minutes=row.duration_minutes,
        skipped=skipped,
        offsets=tuple(row.reminder_offsets),
        paused=row.paused,
    )


async def load_meeting(session: AsyncSession, meeting_id: int) -> tuple[MeetingRow, Meeting] | None:
    row = await session.get(MeetingRow, meeting_id)
    if row is None:
        return None
    days = await session.scalars(select(MeetingSkip.date).where(MeetingSkip.meeting_id == row.id))
    return row, as_rule(row, frozenset(days))


async def all_meetings(session: AsyncSession) -> list[tuple[MeetingRow, Meeting]]:
    """Every meeting with its skipped dates, oldest first (the scheduler and the list)."""
    rows = list(await session.scalars(select(MeetingRow).order_by(MeetingRow.id)))
    skips = (await session.execute(select(MeetingSkip.meeting_id, MeetingSkip.date))).all()
    by_meeting: dict[int, set[date]] = {}
    for meeting_id, day in skips:
        by_meeting.setdefault(meeting_id, set()).add(day)
    return [(row, as_rule(row, frozenset(by_meeting.get(row.id, set())))) for row in rows]


def _audience_filter(row: MeetingRow) -> list[object]:
    values = list(row.audience_values)
    match row.audience:
        case Audience.LOTSEN:
            return [Volunteer.is_lotse.is_(True)]
        case Audience.DISTRICTS:
            linked = and_(
                VolunteerDistrict.user_id == Volunteer.user_id,
                VolunteerDistrict.district.in_(values),
            )
            return [exists().where(linked)]
        case Audience.SKILLS:
            linked = and_(
                VolunteerSkill.user_id == Volunteer.user_id, VolunteerSkill.skill.in_(values)
            )
            return [exists().where(linked)]
    return []


def member_query(row: MeetingRow) -> Select[int]:
    """The approved volunteers the meeting is for (whether they want reminders or not)."""
    return select(Volunteer.user_id).where(
        Volunteer.status == VolunteerStatus.APPROVED,
        *_audience_filter(row),  # type: ignore[arg-type]
    )


def _audience_query(row: MeetingRow) -> Select[int, str, int | None, int | None]:
    opted_out = exists().where(
        MeetingOptout.volunteer_id == Volunteer.user_id,
        or_(MeetingOptout.meeting_id == row.id, MeetingOptout.meeting_id.is_(None)),
    )
    return (
        select(Volunteer.user_id, User.first_name, Volunteer.quiet_start, Volunteer.quiet_end)
        .join(User, User.id == Volunteer.user_id)
        .where(
            Volunteer.status == VolunteerStatus.APPROVED,
            User.reachable.is_(True),
            ~opted_out,
            *_audience_filter(row),  # type: ignore[arg-type]
        )
        .order_by(Volunteer.user_id)
    )


async def audience(session: AsyncSession, row: MeetingRow) -> list[Member]:
    """Approved, reachable volunteers the meeting is for, minus those who opted out."""
    found = await session.execute(_audience_query(row))
    return [Member(vid, name, start, end) for vid, name, start, end in found.all()]


async def rsvp_summary(
    session: AsyncSession, *, meeting_id: int, occurrence: datetime
) -> RsvpSummary:
    """Who said yes, who said no, and who of the audience has not answered."""
    loaded = await load_meeting(session, meeting_id)
    if loaded is None:
        return RsvpSummary()
    members = await audience(session, loaded[0])
    answers = dict(
        (
            await session.execute(
                select(Rsvp.volunteer_id, Rsvp.answer).where(
                    Rsvp.meeting_id == meeting_id, Rsvp.occurrence == occurrence
                )
            )
        ).all()
    )
    names = {m.volunteer_id: m for m in members}
    for volunteer_id in set(answers) - set(names):  # answered, then left the audience
        name = await session.scalar(select(User.first_name).where(User.id == volunteer_id))
        names[volunteer_id] = Member(volunteer_id, name or "")
    ordered = sorted(names.values(), key=lambda m: m.volunteer_id)
    return RsvpSummary(
        yes=[m for m in ordered if answers.get(m.volunteer_id) is RsvpAnswer.YES],
        no=[m for m in ordered if answers.get(m.volunteer_id) is RsvpAnswer.NO],
        unanswered=[m for m in ordered if m.volunteer_id not in answers],
    )


async def answer_of(
    session: AsyncSession, *, meeting_id: int, occurrence: datetime, volunteer_id: int
) -> RsvpAnswer | None:
    return await session.scalar(
        select(Rsvp.answer).where(
            Rsvp.meeting_id == meeting_id,
            Rsvp.occurrence == occurrence,
            Rsvp.volunteer_id == volunteer_id,
        )
    )


async def attendance_of(
    session: AsyncSession, *, meeting_id: int, occurrence: datetime
) -> dict[int, bool]:
    """Who a coordinator marked as come (True) or not (False) to one occurrence."""
    found = await session.execute(
        select(Attendance.volunteer_id, Attendance.attended).where(
            Attendance.meeting_id == meeting_id, Attendance.occurrence == occurrence
        )
    )
    return {volunteer_id: attended for volunteer_id, attended in found.all()}
