"""The real bot as its own process against the emulator, and what the crash and outage tests
ask of the database it leaves behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select

from bot.demo import ANNA, BEN, CEM, DESCRIPTION, SEEKER
from bot.emulator import Emulator
from bot.emulator.models import Event
from bot.stage import TOKEN, People
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import HelpRequest, OutboxMessage, OutboxStatus
from handlers.callbacks import MenuCb, PickCb
from services.outbox import Notice
from tests.conftest import T0
from tests.factories import add_volunteer

VOLUNTEERS = (ANNA, BEN, CEM)
CONFIRM = PickCb(field="confirm", value="send").pack()
# Leases of one second: what a crash left leased goes out again a second after the restart.
FAST = {"LOTSE_ANSWER_LEASE_SECONDS": "1", "LOTSE_SEND_LEASE_SECONDS": "1"}
# The code under test, also from a git worktree (the editable install points at one checkout).
ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def bot_process(
    emu: Emulator, db_url: str, workdir: Path, log: Path, **env: str
) -> AsyncIterator[subprocess.Popen[bytes]]:
    env = os.environ | {
        "LOTSE_BOT_TOKEN": TOKEN,
        "LOTSE_TELEGRAM_API_URL": emu.base_url,
        "LOTSE_DATABASE_URL": db_url,
        "LOTSE_COORDINATORS": "900001",
        "LOTSE_SEND_IDLE_POLL_SECONDS": "0.2",
        "LOTSE_PRIVACY_NOTICE": "false",  # its own tests: tests/bot/test_consent.py
        "PYTHONPATH": str(ROOT),
        **FAST,
        **env,
    }
    with log.open("ab") as out:
        # The working directory holds no .env, so only these settings apply.
        # Starting is quick (fork and exec); every wait on it happens in a thread.
        proc = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "bot.cli", "run"], cwd=workdir, env=env, stdout=out, stderr=out
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            # Waited for in a thread: the emulator runs in this event loop, and the bot may
            # still talk to it while it shuts down (a blocking wait froze both, up to a hang).
            await asyncio.to_thread(proc.wait, 15)


async def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    await asyncio.to_thread(proc.wait, 15)


async def until_confirm_shown(people: People) -> None:
    """The seeker fills the form up to the summary with its "Send request" button."""
    people.person(SEEKER, "Amal", "de")
    for user_id in VOLUNTEERS:
        people.person(user_id, f"v{user_id}")
    await people.say(SEEKER, "/start")
    await people.tap(SEEKER, MenuCb(action="seek"))
    await people.tap(SEEKER, PickCb(field="skill", value="furniture"))
    await people.tap(SEEKER, PickCb(field="district", value="ehrenfeld"))
    await people.tap(SEEKER, PickCb(field="when", value="week"))
    await people.say(SEEKER, DESCRIPTION)
    await people.tap(SEEKER, PickCb(field="consent", value="yes"))
    await people.tap_ready(SEEKER, CONFIRM)


async def press_confirm(emu: Emulator) -> None:
    """Press "Send request" without waiting for the answer (it may never come)."""
    summary = next(
        m
        for m in reversed(emu.messages_to(SEEKER))
        if any(b.get("callback_data") == CONFIRM for b in m.inline_buttons)
    )
    await emu.press(SEEKER, summary.message_id, CONFIRM)


async def requests(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    async with create_session_factory(engine)() as session:
        refs = list((await session.scalars(select(HelpRequest.ref))).all())
    await engine.dispose()
    return refs


async def unsent_answers(db_url: str) -> int:
    engine = create_engine(db_url)
    async with create_session_factory(engine)() as session:
        n = await session.scalar(
            select(func.count()).where(
                OutboxMessage.kind == Notice.ANSWER.value,
                OutboxMessage.status != OutboxStatus.SENT,
            )
        )
    await engine.dispose()
    return int(n or 0)


async def until_answers_sent(db_url: str, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """Another process records its sends; look again until it has."""
    async with asyncio.timeout(timeout):
        while await unsent_answers(db_url):  # noqa: ASYNC110 - another process's database
            await asyncio.sleep(0.05)


def shown_to_seeker(emu: Emulator, ref: str) -> list[Event]:
    """Every time a message with this reference appeared or changed in the seeker's chat."""
    return [
        e
        for e in emu.events
        if e.chat_id == SEEKER and e.kind in ("sent", "edited") and ref in e.text
    ]


async def offers_sent(db_url: str) -> int:
    engine = create_engine(db_url)
    async with create_session_factory(engine)() as session:
        sent = await session.scalar(
            select(func.count()).where(
                OutboxMessage.kind == "offer", OutboxMessage.status == OutboxStatus.SENT
            )
        )
    await engine.dispose()
    return int(sent or 0)


async def until_offers_sent(db_url: str, wanted: int, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """The bot process marks a row sent just after Telegram took it; nothing signals this test
    process, so it looks again until then."""
    async with asyncio.timeout(timeout):
        while await offers_sent(db_url) < wanted:  # noqa: ASYNC110 - another process's database
            await asyncio.sleep(0.05)


async def seed(db_url: str) -> None:
    engine = create_engine(db_url)
    await upgrade(engine)
    async with create_session_factory(engine)() as session, session.begin():
        for user_id in VOLUNTEERS:
            await add_volunteer(session, user_id, now=T0)
    await engine.dispose()
