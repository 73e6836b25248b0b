"""Meetings as rules: local times across both daylight-saving changes of 2026 in Europe/Berlin
(29 March, 25 October), the refused hour, reminders and quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from matching.meetings import (
    Meeting,
    Refusal,
    due,
    due_offset,
    evening_before,
    held_by_quiet_hours,
    occurrences,
    refuse_reason,
    reminder_times,
)
from matching.status import MeetingKind

BERLIN = ZoneInfo("Europe/Berlin")
# Thursdays at 18:30 in Berlin.
WEEKLY = Meeting(
    title="Helpers", kind=MeetingKind.WEEKLY, weekday=3, start=time(18, 30), tz="Europe/Berlin"
)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(BERLIN)


@pytest.mark.parametrize(
    ("after", "until"),
    [
        (datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 6, tzinfo=UTC)),
        (datetime(2026, 10, 16, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)),
    ],
    ids=["spring", "autumn"],
)
def test_weekly_meeting_stays_at_local_1830_when_the_clocks_change(
    after: datetime, until: datetime
) -> None:
    starts = occurrences(WEEKLY, after, until)
    assert len(starts) == 2
    assert [_local(s).strftime("%a %H:%M") for s in starts] == ["Thu 18:30", "Thu 18:30"]
    # The UTC hour moves by one: the rules follow local time, not UTC.
    assert starts[0].hour != starts[1].hour


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 26), 16),
        (date(2026, 4, 2), 15),
        (date(2026, 10, 22), 15),
        (date(2026, 10, 29), 16),
    ],
)
def test_the_hour_reminder_comes_at_1730_local_when_the_week_is_before_or_after_a_change(
    day: date, utc_hour: int
) -> None:
    (start,) = occurrences(
        WEEKLY,
        datetime.combine(day, time(0), tzinfo=UTC),
        datetime.combine(day, time(23), tzinfo=UTC),
    )
    times = dict(reminder_times(start, WEEKLY.offsets))
    assert _local(times[60]).strftime("%H:%M") == "17:30"
    assert times[60].hour == utc_hour
    assert _local(times[1440]).date() == day - timedelta(days=1)


@pytest.mark.parametrize("start", [time(2, 0), time(2, 30), time(2, 59)])
def test_a_meeting_is_refused_when_it_starts_in_the_hour_of_the_clock_change(start: time) -> None:
    meeting = Meeting(
        title="Night", kind=MeetingKind.WEEKLY, weekday=6, start=start, tz="Europe/Berlin"
    )
    assert refuse_reason(meeting) is Refusal.DST_HOUR


def test_a_meeting_is_accepted_when_it_starts_at_0300_or_0159() -> None:
    for start in (time(1, 59), time(3, 0)):
        meeting = Meeting(
            title="x", kind=MeetingKind.WEEKLY, weekday=6, start=start, tz="Europe/Berlin"
        )
        assert refuse_reason(meeting) is None


def test_a_meeting_is_refused_when_it_has_no_day_or_a_bad_zone() -> None:
    assert (
        refuse_reason(Meeting(title="x", kind=MeetingKind.ONCE, start=time(18), tz="Europe/Berlin"))
        is Refusal.NO_DAY
    )
    assert (
        refuse_reason(
            Meeting(
                title="x",
                kind=MeetingKind.ONCE,
                on=date(2026, 5, 1),
                start=time(18),
                tz="Mars/Base",
            )
        )
        is Refusal.UNKNOWN_ZONE
    )


def test_no_occurrence_when_the_date_is_skipped_or_the_meeting_paused() -> None:
    after, until = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 4, 10, tzinfo=UTC)
    skipped = Meeting(**{**WEEKLY.__dict__, "skipped": frozenset({date(2026, 4, 2)})})
    paused = Meeting(**{**WEEKLY.__dict__, "paused": True})
    assert len(occurrences(WEEKLY, after, until)) == 2
    assert [_local(s).date() for s in occurrences(skipped, after, until)] == [date(2026, 4, 9)]
    assert occurrences(paused, after, until) == []


def test_one_off_event_happens_once_when_its_date_is_in_range() -> None:
    event = Meeting(
        title="Fest",
        kind=MeetingKind.ONCE,
        on=date(2026, 10, 25),
        start=time(15),
        tz="Europe/Berlin",
    )
    (start,) = occurrences(
        event, datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert start == datetime(2026, 10, 25, 14, 0, tzinfo=UTC)  # CET again: UTC+1


def test_only_the_latest_passed_reminder_is_due_when_several_were_missed() -> None:
    start = datetime(2026, 4, 2, 16, 30, tzinfo=UTC)
    assert due_offset(start, (1440, 60), start - timedelta(hours=25)) is None
    assert due_offset(start, (1440, 60), start - timedelta(hours=23)) == 1440
    assert due_offset(start, (1440, 60), start - timedelta(minutes=10)) == 60
    assert due_offset(start, (1440, 60), start) is None  # begun: never after the start


def test_due_lists_the_reminder_when_its_time_has_come() -> None:
    now = datetime(2026, 4, 2, 15, 45, tzinfo=UTC)  # 17:45 local, 45 minutes before
    assert due(WEEKLY, now) == [(datetime(2026, 4, 2, 16, 30, tzinfo=UTC), 60)]


def test_quiet_hours_hold_a_reminder_when_it_is_not_the_last() -> None:
    night = (22 * 60, 7 * 60)
    assert held_by_quiet_hours(1440, (1440, 60), night, 23 * 60)
    assert not held_by_quiet_hours(60, (1440, 60), night, 23 * 60)
    assert not held_by_quiet_hours(1440, (1440, 60), night, 12 * 60)


def test_assignment_reminder_window_is_the_evening_before_when_the_date_is_after_a_change() -> None:
    start, end = evening_before(date(2026, 3, 30), 18, BERLIN)
    assert start == datetime(2026, 3, 29, 16, 0, tzinfo=UTC)  # 18:00 CEST
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
