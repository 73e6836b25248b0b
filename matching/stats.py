"""The arithmetic of the coordinators' statistics: periods in local time, medians, weeks, and
the stable pseudonym a volunteer has in an export. Pure: no I/O, no clock of its own."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo


class PeriodKind(enum.StrEnum):
    THIS_WEEK = "tw"
    LAST_MONTH = "lm"
    THIS_YEAR = "ty"
    LAST_YEAR = "ly"


@dataclass(frozen=True, slots=True)
class Period:
    """Local days [first, end): `end` is the day after the last one."""

    first: date
    end: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end), midnight to midnight in `tz`."""
        return _midnight(self.first, tz), _midnight(self.end, tz)

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def period_of(kind: PeriodKind, today: date) -> Period:
    if kind is PeriodKind.THIS_WEEK:
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=7))
    if kind is PeriodKind.LAST_MONTH:
        this_month = today.replace(day=1)
        return Period((this_month - timedelta(days=1)).replace(day=1), this_month)
    year = today.year if kind is PeriodKind.THIS_YEAR else today.year - 1
    return Period(date(year, 1, 1), date(year + 1, 1, 1))


_RANGE = re.compile(
    r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*[-–—]\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$"
)


def parse_period(text: str) -> Period | None:
    """'01.01.2026–31.01.2026' (both days included), or None if it is not two valid days in
    order."""
    found = _RANGE.match(text)
    if found is None:
        return None
    d1, m1, y1, d2, m2, y2 = (int(part) for part in found.groups())
    try:
        first, last = date(y1, m1, d1), date(y2, m2, d2)
    except ValueError:
        return None
    return Period(first, last + timedelta(days=1)) if first <= last else None


def minutes_between(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 60


def median_of(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return median(present) if present else None


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def week_start(at: datetime, tz: ZoneInfo) -> date:
    """The Monday of the local week `at` falls in."""
    day = at.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def weeks_of(period: Period) -> list[date]:
    """Every Monday of the weeks the period touches, in order."""
    monday = period.first - timedelta(days=period.first.weekday())
    weeks = []
    while monday < period.end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def by_week(
    rows: Sequence[tuple[datetime, str]], period: Period, tz: ZoneInfo
) -> dict[date, dict[str, int]]:
    """Counts of (created_at, outcome) rows per local week and outcome; every week present."""
    counts: dict[date, dict[str, int]] = {week: {} for week in weeks_of(period)}
    for at, outcome in rows:
        week = counts.setdefault(week_start(at, tz), {})
        week[outcome] = week.get(outcome, 0) + 1
    return counts


def pseudonym(user_id: int, key: bytes) -> str:
    """A stable code for a volunteer in exports: the first 8 base32 characters of
    HMAC-SHA256(key, id). Without the key nobody can tell who it is."""
    digest = hmac.new(key, str(user_id).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:8]


def pseudonym_key(configured: str | None, bot_token: str) -> bytes:
    """The configured key, else one derived from the bot token's hash (stable per deployment)."""
    if configured:
        return configured.encode()
    return hashlib.sha256(b"lotse-pseudonym:" + bot_token.encode()).digest()
