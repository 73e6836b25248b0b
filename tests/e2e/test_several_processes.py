"""Two bot processes in webhook mode behind one proxy, on one PostgreSQL database, against the
emulator with Telegram's limits: 50 seekers ask for help and 20 volunteers take offers, while
the process that sends is killed with SIGKILL halfway and started again. Every update is
handled once, every outbox row (so every offer) reaches Telegram once, every escalation step
runs once, and Telegram never answers 429."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.demo import DESCRIPTION
from bot.emulator import Emulator, run_emulator
from bot.stage import People
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import HelpRequest, Offer, OutboxMessage, OutboxStatus
from handlers.callbacks import MenuCb, PickCb
from services.clock import SystemClock
from tests.e2e.processes import bot_process, kill
from tests.e2e.several import (
    busy,
    count,
    free_port,
    processed_updates,
    read,
    round_robin,
    sent_rows,
    steps_and_step_events,
    until,
    until_sender,
)
from tests.factories import add_volunteers

pytestmark = pytest.mark.skipif(
    not os.environ.get("LOTSE_TEST_POSTGRES_URL"), reason="several processes need PostgreSQL"
)

SEEKERS = range(30001, 30051)
VOLUNTEERS = range(40001, 40021)
SECRET = "several-processes-secret"
OFFER = "o:accept:"
STEPS = (
    ("skill", "furniture"),
    ("district", "ehrenfeld"),
    ("when", "week"),
    ("consent", "yes"),
    ("confirm", "send"),
)
REQUESTS = select(func.count()).select_from(HelpRequest)
OFFERS = select(func.count()).select_from(Offer)


def settings_for(proxy: int, port: int) -> dict[str, str]:
    return {
        "LOTSE_MODE": "webhook",
        "LOTSE_WEBHOOK_BASE_URL": f"http://127.0.0.1:{proxy}",
        "LOTSE_WEBHOOK_SECRET": SECRET,
        "LOTSE_WEBHOOK_HOST": "127.0.0.1",
        "LOTSE_WEBHOOK_PORT": str(port),
        "LOTSE_COORDINATORS": "",
        # Escalation in seconds: rounds every 3 s, both processes' schedulers ticking.
        "LOTSE_ROUND_INTERVAL_MINUTES": "0.05",
        "LOTSE_ESCALATION_POLL_SECONDS": "0.5",
        "LOTSE_TIER0_ROUNDS": "2",
        "LOTSE_FLOOD_BURST": "100",
    }


async def seed(db_url: str) -> None:
    engine = create_engine(db_url)
    await upgrade(engine)
    async with create_session_factory(engine)() as session, session.begin():
        now = SystemClock().now()
        await add_volunteers(session, VOLUNTEERS, now=now, daily_cap=50)
    await engine.dispose()


async def ask(people: People, seeker: int) -> None:
    """A seeker goes through the whole dialogue and sends a request."""
    people.person(seeker, f"s{seeker}")
    await people.say(seeker, "/start")
    await press(people, seeker, MenuCb(action="seek").pack())
    for field, value in STEPS[:3]:
        await press(people, seeker, PickCb(field=field, value=value).pack())
    await people.say(seeker, DESCRIPTION)
    for field, value in STEPS[3:]:
        await press(people, seeker, PickCb(field=field, value=value).pack())


async def press(people: People, user_id: int, data: str) -> None:
    """Press the newest button whose data starts with `data`, once it is there. Not waiting
    for the toast: the process that handled the press may be killed right after its commit,
    and a toast is not kept (Telegram's spinner ends by itself); what the press changed, and
    the answer in the outbox, are."""

    def find() -> int | None:
        for message in reversed(people.emu.messages_to(user_id)):
            for button in message.inline_buttons:
                if str(button.get("callback_data", "")).startswith(data):
                    return message.message_id
        return None

    message_id = await people.wait(find, f"a button {data!r} for {user_id}")
    message = people.emu.store.find(user_id, message_id)
    assert message is not None
    value = next(
        str(b["callback_data"])
        for b in message.inline_buttons
        if str(b.get("callback_data", "")).startswith(data)
    )
    await people.emu.press(user_id, message_id, value)


async def test_every_update_offer_and_step_happens_once_when_the_sender_is_killed_halfway(
    db_url: str, tmp_path: Path
) -> None:
    await seed(db_url)
    ports = (free_port(), free_port())
    log = tmp_path / "bot.log"
    async with (
        run_emulator(rate_limits=True) as emu,
        round_robin(ports) as proxy,
    ):
        people = People(emu=emu, timeout=45)
        for volunteer in VOLUNTEERS:
            people.person(volunteer, f"v{volunteer}")
        first = bot_process(emu, db_url, tmp_path, log, **settings_for(proxy, ports[0]))
        async with first as sender:
            await until_sender(ports[0], "running")
            async with bot_process(emu, db_url, tmp_path, log, **settings_for(proxy, ports[1])):
                await until_sender(ports[1], "standby")
                seekers = [asyncio.create_task(ask(people, s)) for s in SEEKERS]
                volunteers = [asyncio.create_task(press(people, v, OFFER)) for v in VOLUNTEERS]
                await until(db_url, REQUESTS, len(SEEKERS) // 2, timeout=60, at_least=True)
                await _kill_while_held(emu, db_url, sender)
                restarted = bot_process(emu, db_url, tmp_path, log, **settings_for(proxy, ports[0]))
                async with restarted:
                    await until_sender(ports[1], "running")
                    await until_sender(ports[0], "standby")
                    await asyncio.gather(*seekers, *volunteers)
                    await until(db_url, REQUESTS, len(SEEKERS), timeout=30)
                    await until(db_url, busy(SystemClock().now()), 0, timeout=60)
        await _check(emu, db_url)
    assert "is now the outbox sender" in log.read_text()


async def _kill_while_held(emu: Emulator, db_url: str, sender: subprocess.Popen[bytes]) -> None:
    """Kill the sending process at a moment where every send it has under way is held by
    "Telegram" (never counted), and every send Telegram took is recorded: the crash then
    shows what the processes do, not the window no system can close (a send Telegram took
    whose success died with the process is sent again)."""
    emu.hold(*SEEKERS, *VOLUNTEERS)
    held = emu.held_calls
    await emu.wait_for(lambda: emu.held_calls > held, 30, description="a send held")
    await until(db_url, sent_rows(), len(emu.sends), timeout=30)
    await kill(sender)
    await emu.wait_held_callers_gone()
    emu.release()


async def _check(emu: Emulator, db_url: str) -> None:
    assert emu.stats.http_429 == 0
    assert emu.stats.webhook_failures > 0  # the kill cut updates off: they were posted again
    assert len(emu.updates) == 0
    assert await processed_updates(db_url) == emu.stats.updates_queued
    # Every outbox row went out once: as many sends and edits as rows marked sent.
    statuses = Counter(status for (status,) in await read(db_url, select(OutboxMessage.status)))
    # Cancelled: an offer withdrawn before it went out, and its "taken" edit with it.
    assert set(statuses) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}, statuses
    assert statuses[OutboxStatus.SENT] == len(emu.sends)
    # Every offer reached its volunteer once: one new message per offer, none twice.
    offers = select(OutboxMessage.chat_id, OutboxMessage.message_id, OutboxMessage.status)
    rows = await read(db_url, offers.where(OutboxMessage.kind == "offer"))
    assert len(rows) == await count(db_url, OFFERS) > 0  # one outbox row per offer
    shown = [(chat, mid) for chat, mid, status in rows if status == OutboxStatus.SENT]
    messages = {(s.chat_id, s.message_id) for s in emu.sends if s.method == "sendMessage"}
    assert len(set(shown)) == len(shown) and set(shown) <= messages
    # Every escalation step ran once: each wrote its one event.
    for request_id, steps, events in await steps_and_step_events(db_url):
        assert steps == events, (request_id, steps, events)
