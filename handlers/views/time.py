"""Dates and times as a reader reads them: Babel's forms for their locale, in the deployment's
time zone (Rules.tz). Hand-written patterns put a Latin comma into Arabic and a 24-hour clock
before English readers; every shown date or time goes through here."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time

from matching.text import isolate


def day_label(day: date, locale: str) -> str:
    """A day with its weekday: "Fr., 7. März", "Fri, Mar 7", "الجمعة، 7 مارس"."""
    return format_skeleton("MMMMEEEEd", day, locale=locale)


def moment_label(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    """A moment this week, isolated: weekday and time of day."""
    return isolate(format_skeleton("EHm", moment, tzinfo=tz, locale=locale))


def clock_label(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    """The time of day of a moment, isolated."""
    return isolate(format_time(moment, format="short", tzinfo=tz, locale=locale))


def minutes_label(minutes: int, locale: str) -> str:
    """A time of day given in minutes after midnight (quiet hours are stored so)."""
    return format_time(time(minutes // 60 % 24, minutes % 60), format="short", locale=locale)


def span_label(start: int, end: int, locale: str) -> str:
    """From one time of day to another (it may pass midnight), isolated as one run."""
    return isolate(f"{minutes_label(start, locale)}–{minutes_label(end, locale)}")
