"""A meeting as an iCalendar file (RFC 5545), for a reader's calendar app: one event at the
meeting's local wall time, with its time zone spelled out (VTIMEZONE), so that a weekly
meeting stays at 18:30 in Berlin on both sides of a daylight saving change, whatever zone the
reader's phone is in. Written by the icalendar library: pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//Lotse//Meetings//EN"
ONE_OFF_ZONE = timedelta(days=366)  # how far a one-off's VTIMEZONE reaches (weekly: to 2038)


def invitation(
    *,
    uid: str,
    title: str,
    start_local: datetime,
    duration_minutes: int,
    tz: str,
    weekly: bool,
    skipped: Iterable[date] = (),
    place: str | None = None,
    url: str | None = None,
    now_utc: datetime,
) -> bytes:
    """The .ics file of a meeting that starts at `start_local` (naive, wall time in `tz`):
    every week from then on when `weekly` (but not on the `skipped` dates), else once.
    `uid` must stay the same for the same meeting, so that a calendar app that gets the
    file twice updates its event instead of adding a second one."""
    zone = ZoneInfo(tz)
    start = start_local.replace(tzinfo=zone)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(now_utc))
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=duration_minutes))
    event.add("summary", title)
    if weekly:
        event.add("rrule", {"freq": "weekly"})
        exdates = [datetime.combine(day, start.timetz()) for day in sorted(set(skipped))]
        if exdates:
            event.add("exdate", exdates)
    if place or url:
        # An online meeting's link is where it takes place: calendar apps show LOCATION.
        event.add("location", place or url)
    if url:
        event.add("url", url)
    ics: bytes = _calendar(event, first=start.date(), weekly=weekly).to_ical()
    return ics


def _calendar(event: Event, *, first: date, weekly: bool) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    if weekly:
        calendar.add_missing_timezones(first_date=first)
    else:
        calendar.add_missing_timezones(first_date=first, last_date=first + ONE_OFF_ZONE)
    return calendar


def _utc(moment: datetime) -> datetime:
    """DTSTAMP is UTC; a naive moment is taken as UTC already (as the database stores it)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
