"""Meeting reminders through the real bot and sender into the emulator: the first reminder of
an occurrence is the calendar file (its event at the meeting's wall time in its zone, weekly,
without the skipped date), the answer edits the file's caption, and a later reminder is a
plain message."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.stage import Stage, stage
from matching.status import MeetingKind
from services.meeting_reminders import send_due_reminders
from services.meetings import MeetingDraft, create_meeting, skip_date

ANNA = 700_201
BERLIN = ZoneInfo("Europe/Berlin")


async def weekly_meeting(s: Stage) -> tuple[datetime, date]:
    """A weekly meeting at 18:30 three days from now, and the date skipped a week later."""
    day = (s.clock.now().astimezone(BERLIN) + timedelta(days=3)).date()
    draft = MeetingDraft(
        title="Helferabend",
        kind=MeetingKind.WEEKLY,
        weekday=day.weekday(),
        start=time(18, 30),
        place="Bürgerhaus",
    )
    skipped = day + timedelta(days=7)
    async with s.app.sessions() as session, session.begin():
        saved = await create_meeting(session, draft=draft, created_by=1, now=s.clock.now())
        assert saved.meeting_id is not None
        await skip_date(
            session, actor_id=1, meeting_id=saved.meeting_id, day=skipped, now=s.clock.now()
        )
    return datetime.combine(day, time(18, 30), tzinfo=BERLIN).astimezone(UTC), skipped


async def remind_at(s: Stage, moment: datetime) -> None:
    s.clock.advance(moment - s.clock.now())
    async with s.app.sessions() as session, session.begin():
        await send_due_reminders(session, now=s.clock.now(), rules=s.app.rules)
    s.app.sender.wake()


def check_invitation(content: bytes, start: datetime, skipped: date) -> None:
    calendar = Calendar.from_ical(content)
    event: Any = calendar.walk("VEVENT")[0]
    assert len(calendar.walk("VEVENT")) == 1
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART").astimezone(UTC) == start
    assert event.decoded("DTSTART").replace(tzinfo=None).time() == time(18, 30)
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert [d.dt.date() for d in event["EXDATE"].dts] == [skipped]
    assert str(event["UID"]).startswith("meeting-") and str(event["LOCATION"]) == "Bürgerhaus"


async def test_the_first_reminder_is_the_calendar_file_and_the_later_one_a_message(
    tmp_path: Path,
) -> None:
    async with stage(workdir=tmp_path, rate_limits=False) as s:
        await s.volunteer(ANNA, "Anna", skills={"furniture"}, districts={"porz"}, languages={"de"})
        start, skipped = await weekly_meeting(s)
        await remind_at(s, start - timedelta(hours=23))
        [document] = await s.wait(lambda: s.emu.documents_to(ANNA), "the invitation")
        assert document.file_name == "meeting.ics"
        check_invitation(document.content, start, skipped)
        message = next(m for m in s.emu.messages_to(ANNA) if m.document is not None)
        assert "Helferabend" in (message.caption or "") and message.text is None
        await s.tap(ANNA, "mv:yes")
        await s.wait(lambda: "zugesagt" in (message.caption or ""), "the caption edited")
        await remind_at(s, start - timedelta(minutes=50))
        later = await s.emu.wait_for_message(ANNA, "Helferabend", after=message.message_id)
        assert later.document is None and "Erinnerung" in (later.text or "")
        assert len(s.emu.documents_to(ANNA)) == 1
