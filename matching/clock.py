"""Local time as the rules see it: pure functions of a UTC moment and a time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from matching.model import LocalNow


def local_now(now: datetime, tz: ZoneInfo) -> LocalNow:
    local = now.astimezone(tz)
    return LocalNow(utc=now, local_date=local.date(), minute_of_day=local.hour * 60 + local.minute)


def local_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
