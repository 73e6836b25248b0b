"""matching.invitation: the .ics file of a meeting, read back with icalendar as a calendar app
would read it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from icalendar import Calendar

from matching.invitation import invitation

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
# Thursday before the spring change (Sunday 30 March 2025): the weekly meeting crosses it.
START = datetime(2025, 3, 20, 18, 30)


def weekly(**overrides: Any) -> bytes:
    options: dict[str, Any] = {
        "uid": "meeting-7@lotse",
        "title": "Helferbesprechung",
        "start_local": START,
        "duration_minutes": 90,
        "tz": "Europe/Berlin",
        "weekly": True,
        "skipped": [date(2025, 4, 3)],
        "place": "Bürgerhaus Kalk, Raum 2",
        "url": None,
        "now_utc": NOW,
    }
    return invitation(**(options | overrides))


def event_of(ics: bytes) -> tuple[Calendar, Any]:
    """The calendar and its one event (read by property name, as the file spells them)."""
    calendar = Calendar.from_ical(ics)
    [event] = calendar.events
    return calendar, event


def test_the_event_starts_at_the_local_time_in_its_zone_when_read_back() -> None:
    calendar, event = event_of(weekly())
    assert event.start == START.replace(tzinfo=BERLIN)
    assert str(event.start.tzinfo) == "Europe/Berlin"
    assert event.duration == timedelta(minutes=90)
    assert str(event["summary"]) == "Helferbesprechung"
    assert str(event["location"]) == "Bürgerhaus Kalk, Raum 2"
    assert str(event["uid"]) == "meeting-7@lotse"
    assert event.DTSTAMP == NOW
    assert str(calendar["method"]) == "PUBLISH" and str(calendar["version"]) == "2.0"
    assert "Lotse" in str(calendar["prodid"])
    assert b"DTSTART;TZID=Europe/Berlin:20250320T183000" in weekly()


def test_the_file_carries_its_time_zone_with_both_changes_when_the_meeting_is_weekly() -> None:
    calendar, _ = event_of(weekly())
    [zone] = calendar.timezones
    assert zone.tz_name == "Europe/Berlin"
    kinds = {(c.name, str(c["tzname"])) for c in zone.subcomponents}
    assert {("DAYLIGHT", "CEST"), ("STANDARD", "CET")} <= kinds
    assert calendar.get_missing_tzids() == set()
    ics = weekly()
    assert ics.index(b"BEGIN:VTIMEZONE") < ics.index(b"BEGIN:VEVENT")  # defined before use
    # The zone the file describes puts the changes where Berlin has them.
    described = zone.to_tz()
    assert datetime(2025, 3, 29, 12, tzinfo=described).utcoffset() == timedelta(hours=1)
    assert datetime(2025, 3, 31, 12, tzinfo=described).utcoffset() == timedelta(hours=2)
    assert datetime(2025, 10, 27, 12, tzinfo=described).utcoffset() == timedelta(hours=1)


def test_the_meeting_repeats_weekly_without_the_skipped_date_when_it_is_weekly() -> None:
    ics = weekly()
    _, event = event_of(ics)
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    assert [d.dt for d in event["exdate"].dts] == [datetime(2025, 4, 3, 18, 30, tzinfo=BERLIN)]
    assert b"EXDATE;TZID=Europe/Berlin:20250403T183000" in ics


def test_a_one_off_meeting_has_no_rule_and_no_exceptions_when_it_is_not_weekly() -> None:
    _, event = event_of(weekly(weekly=False, skipped=[date(2025, 3, 27)]))
    assert "rrule" not in event and "exdate" not in event
    assert event.start == START.replace(tzinfo=BERLIN)


def test_an_online_meeting_gives_its_link_as_place_and_url_when_it_has_no_room() -> None:
    _, event = event_of(weekly(place=None, url="https://meet.example/lotse"))
    assert str(event["location"]) == "https://meet.example/lotse"
    assert str(event["url"]) == "https://meet.example/lotse"
    _, nowhere = event_of(weekly(place=None, url=None))
    assert "location" not in nowhere and "url" not in nowhere


def test_weekly_occurrences_stay_at_half_past_six_local_when_daylight_saving_starts() -> None:
    _, event = event_of(weekly())
    rule = rrulestr(event["rrule"].to_ical().decode("ascii"), dtstart=event.start)
    skipped = {d.dt for d in event["exdate"].dts}
    meetings = [m for m in islice(rule, 4) if m not in skipped]
    assert [m.date() for m in meetings] == [date(2025, 3, 20), date(2025, 3, 27), date(2025, 4, 10)]
    assert {(m.hour, m.minute) for m in meetings} == {(18, 30)}
    in_utc = [m.astimezone(UTC).hour for m in meetings]
    assert in_utc == [17, 17, 16]  # the same local time is an hour earlier in UTC in summer


def test_dtstamp_is_utc_when_the_moment_comes_naive_or_in_another_zone() -> None:
    _, naive = event_of(weekly(now_utc=datetime(2025, 3, 1, 9, 0)))
    _, berlin = event_of(weekly(now_utc=datetime(2025, 3, 1, 10, 0, tzinfo=BERLIN)))
    assert naive.DTSTAMP == berlin.DTSTAMP == NOW
