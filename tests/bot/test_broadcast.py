"""/broadcast through the real dispatcher: filters, the message, the preview with the number of
recipients, Send (once, however often it is tapped), Cancel, and what is not text."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.broadcast_models import Broadcast
from db.models import OutboxMessage
from db.role_models import AuditEntry
from handlers.console_callbacks import (
    BroadcastAction,
    BroadcastCb,
    FilterPurpose,
    FilterView,
    VolunteerFilterCb,
)
from handlers.views.broadcast import MAX_CHARS
from matching.status import AuditAction, BroadcastStatus, Priority, Standing
from services.clock import FrozenClock
from services.volunteer_queries import VolunteerFilter
from tests.bot.harness import Harness, buttons, texts
from tests.conftest import COORDINATOR_ID
from tests.factories import add_volunteer

Sessions = async_sessionmaker[AsyncSession]
KALK = VolunteerFilter(district="kalk")
SEND = BroadcastCb(action=BroadcastAction.SEND).pack()


async def volunteers(sessions: Sessions, clock: FrozenClock) -> None:
    async with sessions() as s, s.begin():
        for user_id in (11, 12, 13):
            await add_volunteer(s, user_id, now=clock.now(), districts=("kalk",))
        await add_volunteer(s, 14, now=clock.now(), districts=("porz",))


async def written(harness: Harness, text: str = "Summer party on Friday!") -> list[str]:
    """The coordinator picks Kalk and writes `text`; returns what the bot answered to it."""
    await harness.send(COORDINATOR_ID, "/broadcast")
    go = VolunteerFilterCb.of(FilterPurpose.BROADCAST, FilterView.GO, KALK).pack()
    asked = await harness.press(COORDINATOR_ID, go)
    assert texts(asked)[0].startswith("Write the message for the volunteers.")
    return texts(await harness.send(COORDINATOR_ID, text))


async def broadcast_rows(sessions: Sessions) -> tuple[list[Broadcast], list[OutboxMessage]]:
    async with sessions() as s:
        found = list(await s.scalars(select(Broadcast)))
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id.is_not(None)))
        return found, list(rows)


async def test_the_preview_shows_the_message_and_the_count_when_the_text_is_written(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock)
    [preview] = await written(harness, "Summer party <Friday> & more")
    assert "Message from the agency:" in preview
    assert "Summer party &lt;Friday&gt; &amp; more" in preview
    assert preview.endswith("<b>It goes to 3 volunteers.</b>")


async def test_one_row_per_recipient_is_written_when_send_is_tapped(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock)
    await written(harness)
    shown = await harness.press(COORDINATOR_ID, SEND)
    assert "Sending to 3 volunteers." in texts(shown)[0]
    [broadcast], rows = await broadcast_rows(sessions)
    assert broadcast.total == 3 and broadcast.status is BroadcastStatus.RUNNING
    assert sorted(r.chat_id for r in rows) == [11, 12, 13]
    assert {r.priority for r in rows} == {Priority.BULK}
    async with sessions() as s:
        progress = await s.get_one(OutboxMessage, broadcast.progress_outbox_id)
        audit = await s.scalar(select(AuditEntry.action))
    assert progress.chat_id == COORDINATOR_ID and progress.payload["left"] == 3
    assert audit is AuditAction.BROADCAST_SENT


async def test_one_broadcast_is_made_when_send_is_tapped_twice(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock)
    await written(harness)
    await harness.press(COORDINATOR_ID, SEND)
    again = await harness.press(COORDINATOR_ID, SEND)
    assert texts(again) == [
        "This message was sent or cancelled already. /broadcast starts a new one."
    ]
    found, rows = await broadcast_rows(sessions)
    assert len(found) == 1 and len(rows) == 3


async def test_nothing_is_sent_when_the_coordinator_cancels_at_the_preview(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock)
    await written(harness)
    cancel = dict(buttons(harness.transport.calls))["✖ Cancel"]
    shown = await harness.press(COORDINATOR_ID, cancel)
    assert texts(shown)[0].startswith("Cancelled. Nothing was sent.")
    assert texts(await harness.press(COORDINATOR_ID, SEND))[0].startswith("This message was sent")
    assert await broadcast_rows(sessions) == ([], [])


async def test_the_form_ends_when_the_coordinator_sends_cancel_while_writing(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock)
    await harness.send(COORDINATOR_ID, "/broadcast")
    go = VolunteerFilterCb.of(FilterPurpose.BROADCAST, FilterView.GO, KALK).pack()
    await harness.press(COORDINATOR_ID, go)
    assert texts(await harness.send(COORDINATOR_ID, "/cancel"))[0].startswith("Cancelled.")
    await harness.send(COORDINATOR_ID, "Hello")
    assert await broadcast_rows(sessions) == ([], [])


async def test_a_photo_is_refused_when_the_message_is_asked_for(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock)
    await harness.send(COORDINATOR_ID, "/broadcast")
    go = VolunteerFilterCb.of(FilterPurpose.BROADCAST, FilterView.GO, KALK).pack()
    await harness.press(COORDINATOR_ID, go)
    shown = texts(await harness.photo(COORDINATOR_ID))
    assert shown == ["Please send the message as text. Photos, stickers and files cannot be sent."]
    [preview] = texts(await harness.send(COORDINATOR_ID, "Now as text"))
    assert "It goes to 3 volunteers." in preview


async def test_a_too_long_text_is_refused_when_it_is_over_the_limit(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock)
    [refused] = await written(harness, "x" * (MAX_CHARS + 1))
    too_long = f"This message is too long ({MAX_CHARS + 1} characters)."
    assert refused == f"{too_long} Please write at most {MAX_CHARS}."
    [preview] = texts(await harness.send(COORDINATOR_ID, "x" * MAX_CHARS))
    assert "It goes to 3 volunteers." in preview


async def test_stop_cancels_what_is_still_pending_when_it_is_tapped(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock)
    await written(harness)
    await harness.press(COORDINATOR_ID, SEND)
    [broadcast], _ = await broadcast_rows(sessions)
    stop = BroadcastCb(action=BroadcastAction.STOP, broadcast_id=broadcast.id).pack()
    shown = await harness.press(COORDINATOR_ID, stop)
    assert texts(shown)[0].startswith("⏹ Stopping the broadcast.")
    again = await harness.press(COORDINATOR_ID, stop)
    assert texts(again) == ["This broadcast has already ended."]
    [broadcast], rows = await broadcast_rows(sessions)
    assert broadcast.status is BroadcastStatus.CANCELLED
    assert {r.status.value for r in rows} == {"cancelled"}
    async with sessions() as s:
        actions = await s.scalar(
            select(func.count()).where(AuditEntry.action == AuditAction.BROADCAST_CANCELLED)
        )
    assert actions == 1


async def test_no_message_is_asked_for_when_the_filter_picks_banned_volunteers(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    banned = VolunteerFilter(standing=Standing.BANNED)
    go = VolunteerFilterCb.of(FilterPurpose.BROADCAST, FilterView.GO, banned).pack()
    shown = texts(await harness.press(COORDINATOR_ID, go))
    assert shown == ["Banned volunteers get no broadcasts. Please choose other volunteers."]
    assert not any("It goes to" in t for t in texts(await harness.send(COORDINATOR_ID, "Hello")))
    assert await broadcast_rows(sessions) == ([], [])
