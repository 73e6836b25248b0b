"""Meetings as rules: when a weekly meeting or a one-off event takes place, when to remind of
it, and which start times are refused. Times are kept as local wall-clock times in the meeting's
zone and turned into UTC per occurrence, so a weekly 18:30 stays 18:30 across daylight saving."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from matching.eligibility import in_quiet_hours
from matching.status import MeetingKind

DEFAULT_OFFSETS = (24 * 60, 60)  # minutes before the start: a day before, and an hour before
# Local start times in this hour are refused: on the spring change the hour does not exist,
# on the autumn change it happens twice (02:00-03:00 in the European zones).
DST_HOUR = 2
MAX_OFFSET = 14 * 24 * 60


class Refusal(enum.StrEnum):
    """Why a meeting cannot be saved as given."""

    DST_HOUR = "dst_hour"  # starts between 02:00 and 03:00 local time
    NO_DAY = "no_day"  # weekly without a weekday, or one-off without a date
    BAD_DURATION = "bad_duration"
    BAD_OFFSET = "bad_offset"
    UNKNOWN_ZONE = "unknown_zone"


@dataclass(frozen=True)
class Meeting:
    title: str
    kind: MeetingKind
    start: time  # local wall-clock time in `tz`
    tz: str
    weekday: int | None = None  # 0 is Monday (weekly meetings)
    on: date | None = None  # the date (one-off events)
    duration_minutes: int = 90
    skipped: frozenset[date] = frozenset()
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    paused: bool = False


def refuse_reason(meeting: Meeting) -> Refusal | None:
    """The first reason the meeting cannot be saved, or None."""
    checks = (
        (Refusal.UNKNOWN_ZONE, not _zone_ok(meeting.tz)),
        (Refusal.DST_HOUR, meeting.start.hour == DST_HOUR),
        (
            Refusal.NO_DAY,
            (meeting.kind is MeetingKind.WEEKLY and meeting.weekday not in range(7))
            or (meeting.kind is MeetingKind.ONCE and meeting.on is None),
        ),
        (Refusal.BAD_DURATION, not 0 < meeting.duration_minutes <= 24 * 60),
        (Refusal.BAD_OFFSET, any(not 0 < o <= MAX_OFFSET for o in meeting.offsets)),
    )
    return next((reason for reason, fails in checks if fails), None)


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def start_on(meeting: Meeting, day: date) -> datetime:
    """The UTC start of the meeting on a local `day`."""
    local = datetime.combine(day, meeting.start, tzinfo=ZoneInfo(meeting.tz))
    return local.astimezone(UTC)


def local_day(meeting: Meeting, occurrence: datetime) -> date:
    return occurrence.astimezone(ZoneInfo(meeting.tz)).date()


def _days(meeting: Meeting, first: date, last: date) -> list[date]:
    if meeting.kind is MeetingKind.ONCE:
        return [meeting.on] if meeting.on is not None and first <= meeting.on <= last else []
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() == meeting.weekday]


def occurrences(meeting: Meeting, after: datetime, until: datetime) -> list[datetime]:
    """UTC starts in [after, until), skipped dates left out; none while paused."""
    if meeting.paused:
        return []
    tz = ZoneInfo(meeting.tz)
    first = after.astimezone(tz).date() - timedelta(days=1)
    last = until.astimezone(tz).date() + timedelta(days=1)
    starts = (start_on(meeting, day) for day in _days(meeting, first, last))
    return [
        start
        for start in starts
        if after <= start < until and local_day(meeting, start) not in meeting.skipped
    ]


def reminder_times(occurrence: datetime, offsets: tuple[int, ...]) -> list[tuple[int, datetime]]:
    """(offset, moment) of each reminder of one occurrence, earliest first."""
    pairs = [(offset, occurrence - timedelta(minutes=offset)) for offset in set(offsets)]
    return sorted(pairs, key=lambda pair: pair[1])


def due_offset(occurrence: datetime, offsets: tuple[int, ...], now: datetime) -> int | None:
    """The reminder of an occurrence that is due at `now`: the latest whose time has passed,
    while the meeting has not begun (earlier reminders missed are not sent as well)."""
    if not offsets or now >= occurrence:
        return None
    passed = [offset for offset, at in reminder_times(occurrence, offsets) if at <= now]
    return passed[-1] if passed else None


def due(meeting: Meeting, now: datetime) -> list[tuple[datetime, int]]:
    """(occurrence, offset) of each reminder the meeting owes at `now`."""
    horizon = now + timedelta(minutes=max(meeting.offsets, default=0) + 1)
    found = (
        (start, due_offset(start, meeting.offsets, now))
        for start in occurrences(meeting, now, horizon)
    )
    return [(start, offset) for start, offset in found if offset is not None]


def is_last(offset: int, offsets: tuple[int, ...]) -> bool:
    """The last reminder before the start (the smallest offset)."""
    return offset == min(offsets)


def held_by_quiet_hours(
    offset: int, offsets: tuple[int, ...], quiet: tuple[int | None, int | None], minute: int
) -> bool:
    """A reminder waits out the reader's quiet hours, except the last one before the start."""
    return not is_last(offset, offsets) and in_quiet_hours(quiet[0], quiet[1], minute)


def evening_before(day: date, hour: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From when to when (UTC) an assignment on `day` is reminded: the evening before at
    `hour` local time, until the day begins."""
    start = datetime.combine(day - timedelta(days=1), time(hour), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def epoch_minutes(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def from_epoch_minutes(minutes: int) -> datetime:
    return datetime.fromtimestamp(minutes * 60, tz=UTC)
