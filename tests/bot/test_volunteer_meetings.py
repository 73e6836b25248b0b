"""A volunteer and the meetings through the real dispatcher: an answer to a reminder is saved
and the reminder shows it (a text, or the caption of the calendar file) with the buttons to
change it; /next; reminders of one meeting or of all turned off stop the next reminder."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from aiogram.methods import EditMessageCaption, EditMessageReplyMarkup, EditMessageText
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.callbacks import RemindersAction, RemindersCb, RsvpAnswerCb, RsvpCb
from matching.meetings import epoch_minutes
from matching.status import MeetingKind, RsvpAnswer, VolunteerStatus
from services.clock import FrozenClock
from services.meeting_queries import answer_of
from services.meeting_reminders import send_due_reminders
from services.meetings import MeetingDraft, create_meeting
from services.rules import Rules
from tests.bot.harness import Harness, buttons, texts
from tests.factories import add_volunteer

VOLUNTEER = 700_100
THURSDAY = MeetingDraft(title="Helpers", kind=MeetingKind.WEEKLY, weekday=3, start=time(18, 30))
START = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)  # the first Thursday after the test clock


async def meeting(sessions: async_sessionmaker[AsyncSession], clock: FrozenClock) -> int:
    async with sessions() as s, s.begin():
        await add_volunteer(s, VOLUNTEER, now=clock.now())
        saved = await create_meeting(s, draft=THURSDAY, created_by=1, now=clock.now())
    assert saved.meeting_id is not None
    return saved.meeting_id


def rsvp(meeting_id: int, answer: RsvpAnswerCb) -> str:
    return RsvpCb(answer=answer, meeting_id=meeting_id, at=epoch_minutes(START)).pack()


async def saved(sessions: async_sessionmaker[AsyncSession], meeting_id: int) -> Any:
    async with sessions() as s:
        return await answer_of(s, meeting_id=meeting_id, occurrence=START, volunteer_id=VOLUNTEER)


async def test_an_answer_is_saved_and_shown_with_a_way_to_change_it_when_pressed(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    meeting_id = await meeting(sessions, clock)
    calls = await harness.press(VOLUNTEER, rsvp(meeting_id, RsvpAnswerCb.YES))
    [edit] = [c for c in calls if isinstance(c, EditMessageText)]
    assert "You said you will come" in (edit.text or "")
    assert rsvp(meeting_id, RsvpAnswerCb.NO) in [data for _, data in buttons(calls)]
    assert "Thank you. We saved your answer." in texts(calls)
    assert await saved(sessions, meeting_id) is RsvpAnswer.YES
    calls = await harness.press(VOLUNTEER, rsvp(meeting_id, RsvpAnswerCb.NO))
    assert any("You said you cannot come" in t for t in texts(calls))
    assert await saved(sessions, meeting_id) is RsvpAnswer.NO


async def test_the_caption_is_edited_when_the_answered_reminder_is_the_calendar_file(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    meeting_id = await meeting(sessions, clock)
    update = harness.press_update(VOLUNTEER, rsvp(meeting_id, RsvpAnswerCb.YES))
    message = update["callback_query"]["message"]
    del message["text"]
    message["document"] = {"file_id": "d1", "file_unique_id": "u1", "file_name": "meeting.ics"}
    message["caption"] = "📅 Reminder: Helpers"
    calls = await harness.feed(update)
    [edit] = [c for c in calls if isinstance(c, EditMessageCaption)]
    assert edit.caption is not None and "You said you will come" in edit.caption
    assert not [c for c in calls if isinstance(c, EditMessageText)]


async def test_next_shows_the_next_meeting_with_the_answer_when_a_volunteer_asks(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    meeting_id = await meeting(sessions, clock)
    await harness.press(VOLUNTEER, rsvp(meeting_id, RsvpAnswerCb.NO))
    calls = await harness.send(VOLUNTEER, "/next")
    shown = texts(calls)
    assert "Your next meetings" in shown[0]
    assert "Helpers" in shown[1] and "You said you cannot come" in shown[1]
    assert rsvp(meeting_id, RsvpAnswerCb.YES) in [data for _, data in buttons(calls)]


async def test_next_says_there_is_none_when_the_person_is_no_volunteer_in_the_audience(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await meeting(sessions, clock)
    async with sessions() as s, s.begin():
        await add_volunteer(s, VOLUNTEER + 1, now=clock.now(), status=VolunteerStatus.PENDING)
    calls = await harness.send(VOLUNTEER + 1, "/next")
    assert texts(calls) == ["There are no meetings for you at the moment."]


async def remind(sessions: async_sessionmaker[AsyncSession], rules: Rules) -> int:
    async with sessions() as s, s.begin():
        return await send_due_reminders(s, now=START - timedelta(minutes=30), rules=rules)


async def test_no_reminder_comes_when_the_volunteer_turned_off_this_meetings_reminders(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    meeting_id = await meeting(sessions, clock)
    off = RemindersCb(action=RemindersAction.OFF, meeting_id=meeting_id).pack()
    calls = await harness.press(VOLUNTEER, off)
    assert "You will get no more reminders of this meeting." in texts(calls)
    assert await remind(sessions, rules) == 0
    on = RemindersCb(action=RemindersAction.ON, meeting_id=meeting_id).pack()
    await harness.press(VOLUNTEER, on)
    assert await remind(sessions, rules) == 1


async def test_no_reminder_comes_when_the_volunteer_turned_all_of_them_off(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    await meeting(sessions, clock)
    calls = await harness.send(VOLUNTEER, "/meetings_off")
    assert any("/meetings_on" in t for t in texts(calls))
    assert await remind(sessions, rules) == 0
    await harness.send(VOLUNTEER, "/meetings_on")
    assert await remind(sessions, rules) == 1


async def test_the_button_turns_into_its_opposite_when_reminders_are_turned_off(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    meeting_id = await meeting(sessions, clock)
    calls = await harness.send(VOLUNTEER, "/next")
    [(_, off)] = [(t, d) for t, d in buttons(calls) if d.startswith("mo:")]
    update = harness.press_update(VOLUNTEER, off)
    keyboard = calls[-1].reply_markup  # type: ignore[attr-defined]
    update["callback_query"]["message"]["reply_markup"] = keyboard.model_dump(exclude_none=True)
    calls = await harness.feed(update)
    [edit] = [c for c in calls if isinstance(c, EditMessageReplyMarkup)]
    assert edit.reply_markup is not None
    data = [b.callback_data for row in edit.reply_markup.inline_keyboard for b in row]
    assert RemindersCb(action=RemindersAction.ON, meeting_id=meeting_id).pack() in data
    assert rsvp(meeting_id, RsvpAnswerCb.YES) in data
