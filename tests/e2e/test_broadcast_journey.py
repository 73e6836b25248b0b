"""A broadcast to 300 volunteers through the real bot, polling the emulator with Telegram's
flood limits enforced: the coordinator's progress message counts as the outbox sends, and
the final count is exact, 403s (volunteers who blocked the bot) counted as failed."""

from __future__ import annotations

import time
from pathlib import Path

from bot.emulator import StoredMessage
from bot.stage import Stage, stage
from handlers.console_callbacks import (
    BroadcastAction,
    BroadcastCb,
    FilterPurpose,
    FilterView,
    VolunteerFilterCb,
)
from services.volunteer_queries import VolunteerFilter
from tests.factories import add_volunteers

COORDINATOR = 900_001
SEEKER = 720_001
VOLUNTEERS = range(710_001, 710_301)
BLOCKED = VOLUNTEERS[::43][:7]


async def three_hundred_volunteers(s: Stage) -> None:
    async with s.app.sessions() as session, session.begin():
        await add_volunteers(session, VOLUNTEERS, now=s.clock.now())
    for user_id in VOLUNTEERS:
        s.person(user_id, f"v{user_id}")
    for user_id in BLOCKED:  # blocked the bot; the bot has not heard of it yet
        s.emu.store.blocked.add(user_id)


async def broadcast(s: Stage, text: str) -> None:
    s.person(COORDINATOR, "Clara", "en")
    await s.say(COORDINATOR, "/broadcast")
    await s.tap(
        COORDINATOR, VolunteerFilterCb.of(FilterPurpose.BROADCAST, FilterView.GO, VolunteerFilter())
    )
    preview = await s.say(COORDINATOR, text)
    assert "It goes to 300 volunteers." in (preview.text or "")
    await s.tap(COORDINATOR, BroadcastCb(action=BroadcastAction.SEND))


def progress(s: Stage) -> StoredMessage | None:
    return next((m for m in s.emu.messages_to(COORDINATOR) if "broadcast" in (m.text or "")), None)


async def test_a_broadcast_to_300_counts_exactly_when_telegrams_limits_are_enforced(
    tmp_path: Path,
) -> None:
    async with stage(workdir=tmp_path, rate_limits=True) as s:
        s.timeout = 30
        await three_hundred_volunteers(s)
        await broadcast(s, "Summer party on Friday at 5 pm!")
        message = await s.wait(lambda: progress(s), "the progress message")
        # The broadcast goes at the lowest priority: somebody's answer does not queue behind it.
        s.person(SEEKER, "Amal", "en")
        asked = time.monotonic()
        await s.say(SEEKER, "/help")
        assert time.monotonic() - asked < 3.0
        assert "Left: 0" not in (message.text or "")
        await s.wait(lambda: "finished" in (message.text or ""), "the final count")
        assert message.text is not None
        assert message.text.splitlines()[1:] == ["Sent: 293", "Failed: 7", "Left: 0"]
        running = [e for e in message.edits if "Sending the broadcast" in (e.text or "")]
        assert len(running) >= 3  # the first count, and at least two edits before the final
        assert s.emu.stats.http_429 == 0 and s.emu.stats.http_403 == 7
        for user_id in VOLUNTEERS:
            got = [m.text or "" for m in s.emu.messages_to(user_id)]
            assert got == (
                []
                if user_id in BLOCKED
                else ["📢 Nachricht von der Fachstelle:\n\nSummer party on Friday at 5 pm!"]
            )


def count(text: str, label: str) -> int:
    return int(next(line for line in text.splitlines() if line.startswith(label)).split()[-1])


async def test_what_was_not_sent_is_counted_when_the_coordinator_stops_a_broadcast(
    tmp_path: Path,
) -> None:
    async with stage(workdir=tmp_path, rate_limits=True) as s:
        s.timeout = 30
        await three_hundred_volunteers(s)
        await broadcast(s, "Summer party on Friday at 5 pm!")
        message = await s.wait(lambda: progress(s), "the progress message")
        await s.wait(lambda: message.edits, "a first count")
        await s.tap(COORDINATOR, "bc:x:")
        await s.wait(lambda: "stopped" in (message.text or ""), "the final count")
        text = message.text or ""
        sent, failed, not_sent = (count(text, w) for w in ("Sent:", "Failed:", "Not sent:"))
        assert sent + failed + not_sent == 300 and not_sent > 0
        received = sum(1 for user_id in VOLUNTEERS if s.emu.messages_to(user_id))
        assert received == sent  # nothing went out after it was counted as not sent
        assert s.emu.stats.http_429 == 0
