"""`lotse demo --scene meeting`: a coordinator sets up the volunteers' weekly meeting by dialogue,
time skips ahead to the reminder, three volunteers get it in their own languages, two answer with
its buttons, and the coordinator reads /rsvp."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.scheduler import send_reminders
from bot.stage import Stage
from handlers.callbacks import TOGGLE_DONE, MeetField, MeetFormCb
from matching.meetings import occurrences
from services.meeting_queries import all_meetings

COORDINATOR = 900_001
# Three volunteers who read German, Arabic and Ukrainian.
GRETA, RAMI, IRYNA = 621, 622, 623
TITLE = "Ehrenamtlichen-Treffen"
PLACE = "Bürgerzentrum Ehrenfeld, Venloer Str. 429"


async def set_up_weekly_meeting(s: Stage) -> None:
    """The coordinator's dialogue: weekly, two days from now at 18:30, 60 minutes, a place,
    all volunteers, the default reminders (a day and an hour before)."""
    s.person(COORDINATOR, "Kim", "de")
    await s.start(COORDINATOR)
    weekday = (s.clock.now().astimezone(s.app.rules.tz).date() + timedelta(days=2)).weekday()
    await s.say(COORDINATOR, "/meeting_new")
    await s.say(COORDINATOR, TITLE)
    for field, value in (
        (MeetField.KIND, "weekly"),
        (MeetField.WEEKDAY, str(weekday)),
        (MeetField.TIME, "1830"),
        (MeetField.DURATION, "60"),
    ):
        await s.tap(COORDINATOR, MeetFormCb(field=field, value=value))
    await s.say(COORDINATOR, PLACE)
    await s.tap(COORDINATOR, MeetFormCb(field=MeetField.AUDIENCE, value="all"))
    await s.tap(COORDINATOR, MeetFormCb(field=MeetField.OFFSET, value=TOGGLE_DONE))
    await s.tap(COORDINATOR, MeetFormCb(field=MeetField.CONFIRM, value="save"))
    await s.expect(COORDINATOR, TITLE)


async def first_start(s: Stage) -> datetime:
    now = s.clock.now()
    async with s.app.sessions() as session:
        (_row, rule), *_ = await all_meetings(session)
    return occurrences(rule, now, now + timedelta(days=8))[0]


async def remind(s: Stage) -> None:
    """What the scheduler's meeting job does when it fires."""
    if await send_reminders(sessions=s.app.sessions, rules=s.app.rules, clock=s.clock):
        s.app.sender.wake()


async def scene_meeting(s: Stage) -> None:
    for user_id, name, language in (
        (GRETA, "Greta", "de"),
        (RAMI, "Rami", "ar"),
        (IRYNA, "Iryna", "uk"),
    ):
        await s.volunteer(
            user_id,
            name,
            skills={"furniture"},
            districts={"ehrenfeld"},
            languages={language},
            language=language,
        )
    await set_up_weekly_meeting(s)
    start = await first_start(s)
    jump = start - timedelta(hours=24) + timedelta(minutes=1) - s.clock.now()
    s.note(f"⏩ {jump.total_seconds() / 3600:.1f} hours later: a day before the meeting")
    s.clock.advance(jump)
    await remind(s)
    for volunteer in (GRETA, RAMI, IRYNA):
        await s.tap_ready(volunteer, "mv:yes:")
    await s.tap(GRETA, "mv:yes:")
    await s.tap(RAMI, "mv:no:")
    await s.say(COORDINATOR, "/rsvp")
    await s.tap(COORDINATOR, "mr:show:")
    await s.expect(COORDINATOR, "Keine Antwort (1)")
