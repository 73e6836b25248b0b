"""The coordinators' meetings through the real dispatcher: the /meeting_new dialogue, its refusal of
02:00-03:00, Back and Cancel; /meetings with its buttons; /rsvp and attendance."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduler import MeetingWatch
from db.meeting_models import Attendance, MeetingRow
from handlers.callbacks import MeetAdmin, MeetAdminCb, RsvpView, RsvpViewCb
from matching.meetings import epoch_minutes
from matching.status import Audience, MeetingKind, RsvpAnswer
from services.clock import FrozenClock
from services.meetings import MeetingDraft, answer, create_meeting
from tests.bot.harness import Harness, buttons, texts
from tests.conftest import COORDINATOR_ID
from tests.factories import add_volunteer, outbox

Sessions = async_sessionmaker[AsyncSession]
ONLY = "This is only for coordinators."
C = COORDINATOR_ID
# Thursday 26 November 2026, 18:30 in Köln (CET): the first date after T0 (a Saturday).
THURSDAY = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)


def data_of(calls: list, label: str) -> str:  # type: ignore[type-arg]
    """The callback data of the button whose text contains `label`."""
    return next(data for text, data in buttons(calls) if label in text)


async def create_by_dialogue(harness: Harness, start: str = "18:30") -> list:  # type: ignore[type-arg]
    await harness.send(C, "/meeting_new")
    calls = await harness.send(C, "Team evening")
    calls = await harness.press(C, data_of(calls, "Every week"))
    calls = await harness.press(C, data_of(calls, "Thursday"))
    calls = await harness.send(C, start)
    if "between 02:00 and 03:00" in " ".join(texts(calls)):
        return calls
    calls = await harness.press(C, data_of(calls, "60 minutes"))
    calls = await harness.send(C, "Bürgerhaus, Raum 2")
    calls = await harness.press(C, data_of(calls, "All volunteers"))
    calls = await harness.press(C, data_of(calls, "Next"))  # the default reminders
    return await harness.press(C, data_of(calls, "Save"))


async def meetings(sessions: Sessions) -> list[MeetingRow]:
    async with sessions() as s:
        return list(await s.scalars(select(MeetingRow)))


async def test_meeting_is_created_when_the_dialogue_is_completed(
    harness: Harness, sessions: Sessions
) -> None:
    calls = await create_by_dialogue(harness)
    assert "is saved" in texts(calls)[-1]
    (row,) = await meetings(sessions)
    assert (row.title, row.kind, row.weekday) == ("Team evening", MeetingKind.WEEKLY, 3)
    assert (row.local_time, row.duration_minutes) == (time(18, 30), 60)
    assert (row.place, row.audience, row.reminder_offsets) == (
        "Bürgerhaus, Raum 2",
        Audience.ALL,
        [1440, 60],
    )


async def test_start_time_is_refused_with_an_explanation_when_it_is_between_two_and_three(
    harness: Harness, sessions: Sessions
) -> None:
    calls = await create_by_dialogue(harness, start="02:30")
    assert "clocks change" in texts(calls)[-1]
    assert buttons(calls)  # the times to choose another from
    calls = await harness.send(C, "19:00")
    assert "How long" in texts(calls)[-1]
    assert await meetings(sessions) == []


async def test_back_returns_to_the_question_before_when_pressed(harness: Harness) -> None:
    await harness.send(C, "/meeting_new")
    calls = await harness.send(C, "Team evening")
    calls = await harness.press(C, data_of(calls, "Every week"))
    calls = await harness.press(C, data_of(calls, "Back"))
    assert "every week, or only once" in texts(calls)[-1]


async def test_nothing_is_saved_when_the_dialogue_is_cancelled(
    harness: Harness, sessions: Sessions
) -> None:
    await harness.send(C, "/meeting_new")
    calls = await harness.send(C, "Team evening")
    calls = await harness.press(C, data_of(calls, "Cancel"))
    assert texts(calls)[0] == "Cancelled. The meeting was not saved."
    assert "Please" not in " ".join(texts(await harness.send(C, "hello")))
    assert await meetings(sessions) == []


async def test_non_coordinator_is_refused_when_using_the_meeting_commands(
    harness: Harness,
) -> None:
    for command in ("/meeting_new", "/meetings", "/rsvp", "/rsvp 1"):
        assert texts(await harness.send(777, command)) == [ONLY]
    forged = MeetAdminCb(action=MeetAdmin.DELETE_SURE, meeting_id=1).pack()
    assert texts(await harness.press(777, forged)) == [ONLY]


async def saved_meeting(sessions: Sessions, clock: FrozenClock, volunteers: int = 3) -> int:
    async with sessions() as s, s.begin():
        for n in range(volunteers):
            await add_volunteer(s, 701 + n, now=clock.now())
        draft = MeetingDraft(
            title="Team evening",
            kind=MeetingKind.WEEKLY,
            start=time(18, 30),
            weekday=3,
            duration_minutes=60,
        )
        saved = await create_meeting(s, draft=draft, created_by=C, now=clock.now())
    assert saved.meeting_id is not None
    return saved.meeting_id


async def test_meetings_lists_the_next_date_when_a_meeting_exists(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await saved_meeting(sessions, clock)
    calls = await harness.send(C, "/meetings")
    assert "Team evening" in texts(calls)[0]
    assert "Thu, Nov 26" in texts(calls)[0]
    assert "Skip a date" in " ".join(text for text, _data in buttons(calls))


async def test_one_notice_goes_out_when_a_date_is_skipped(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    meeting_id = await saved_meeting(sessions, clock)
    skips = MeetAdminCb(action=MeetAdmin.SKIPS, meeting_id=meeting_id).pack()
    calls = await harness.press(C, skips)
    assert len(buttons(calls)) == 4 + 1  # the next four dates, and Back
    skip = buttons(calls)[0][1]
    await harness.press(C, skip)
    await harness.press(C, skip)
    async with sessions() as s:
        notices = await outbox(s, kind="meeting_skipped")
    assert sorted(n.chat_id for n in notices) == [701, 702, 703]


async def test_rsvp_shows_yes_no_and_no_answer_when_answers_are_recorded(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    meeting_id = await saved_meeting(sessions, clock)
    async with sessions() as s, s.begin():
        for vid, said in ((701, RsvpAnswer.YES), (702, RsvpAnswer.NO)):
            await answer(
                s,
                meeting_id=meeting_id,
                occurrence=THURSDAY,
                volunteer_id=vid,
                rsvp=said,
                now=clock.now(),
            )
    (text,) = texts(await harness.send(C, "/rsvp Team"))
    assert "Yes (1): " in text and "user701" in text.split("Yes (1)")[1].split("\n")[0]
    assert "No (1): " in text and "user702" in text.split("No (1)")[1].split("\n")[0]
    assert "No answer (1): " in text and "user703" in text.split("No answer (1)")[1]
    calls = await harness.send(C, "/rsvp")
    assert data_of(calls, "Team evening").startswith("mr:")


async def test_attendance_persists_when_toggled(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    meeting_id = await saved_meeting(sessions, clock)
    clock.set(THURSDAY + timedelta(hours=2))
    at = epoch_minutes(THURSDAY)
    mark = RsvpViewCb(action=RsvpView.MARK, meeting_id=meeting_id, at=at).pack()
    calls = await harness.press(C, mark)
    shown = [text.replace("\u2068", "").replace("\u2069", "") for text, _d in buttons(calls)]
    assert shown[:3] == ["✗ user701", "✗ user702", "✗ user703"]
    calls = await harness.press(C, data_of(calls, "user702"))
    assert "✓ \u2068user702\u2069" in [text for text, _d in buttons(calls)]
    async with sessions() as s:
        came = await s.scalar(select(func.count()).where(Attendance.attended.is_(True)))
    assert came == 1


async def test_time_and_place_change_when_a_meeting_is_edited(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    meeting_id = await saved_meeting(sessions, clock)
    calls = await harness.press(C, MeetAdminCb(action=MeetAdmin.EDIT, meeting_id=meeting_id).pack())
    assert "Please check the meeting" in texts(calls)[-1]
    calls = await harness.press(C, data_of(calls, "Change the time"))
    calls = await harness.send(C, "19:15")
    assert "Please check the meeting" in texts(calls)[-1]  # back to the summary
    calls = await harness.press(C, data_of(calls, "Change the place"))
    calls = await harness.send(C, "https://meet.example/team")
    calls = await harness.press(C, data_of(calls, "Save"))
    assert "is saved" in texts(calls)[-1]
    (row,) = await meetings(sessions)
    assert (row.id, row.local_time, row.place) == (
        meeting_id,
        time(19, 15),
        "https://meet.example/team",
    )


async def test_pause_resume_and_delete_take_effect_when_pressed(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    meeting_id = await saved_meeting(sessions, clock)

    def press(action: MeetAdmin) -> str:
        return MeetAdminCb(action=action, meeting_id=meeting_id).pack()

    calls = await harness.press(C, press(MeetAdmin.PAUSE))
    assert "Paused: no reminders." in texts(calls)[0]
    assert (await meetings(sessions))[0].paused
    await harness.press(C, press(MeetAdmin.RESUME))
    assert not (await meetings(sessions))[0].paused
    calls = await harness.press(C, press(MeetAdmin.DELETE))
    assert "Delete the meeting" in texts(calls)[0] and await meetings(sessions)
    calls = await harness.press(C, press(MeetAdmin.DELETE_SURE))
    assert "is deleted" in texts(calls)[0]
    assert await meetings(sessions) == []


async def test_meeting_jobs_are_rebuilt_only_when_the_meetings_change(
    sessions: Sessions, clock: FrozenClock
) -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    watch = MeetingWatch(scheduler, sessions=sessions, job=lambda: None)
    assert await watch.check() and not scheduler.get_jobs()
    await saved_meeting(sessions, clock)
    assert await watch.check()
    assert sorted(job.id for job in scheduler.get_jobs()) == ["meeting:1:1440", "meeting:1:60"]
    assert not await watch.check()
