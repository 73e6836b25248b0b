"""The real bot process killed with SIGKILL at three points of one update, the seeker's
"Send request": before the commit, after the commit before the answer went out, and after
Telegram took the answer before the bot recorded it. Then started again."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from bot.demo import ANNA, BEN, CEM, DESCRIPTION, SEEKER
from bot.emulator import Emulator, run_emulator
from bot.emulator.models import Event
from bot.stage import TOKEN, People
from db.engine import create_engine, create_session_factory
from db.models import HelpRequest, OutboxMessage, OutboxStatus
from handlers.callbacks import MenuCb, PickCb
from services.notices import Notice
from tests.e2e.test_crash import seed

VOLUNTEERS = (ANNA, BEN, CEM)
CONFIRM = PickCb(field="confirm", value="send").pack()
# Leases of one second: what a crash left leased goes out again a second after the restart.
FAST = {"LOTSE_ANSWER_LEASE_SECONDS": "1", "LOTSE_SEND_LEASE_SECONDS": "1"}


@contextmanager
def bot_process(
    emu: Emulator, db_url: str, workdir: Path, log: Path, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    env = os.environ | {
        "LOTSE_BOT_TOKEN": TOKEN,
        "LOTSE_TELEGRAM_API_URL": emu.base_url,
        "LOTSE_DATABASE_URL": db_url,
        "LOTSE_COORDINATORS": "900001",
        "LOTSE_SEND_IDLE_POLL_SECONDS": "0.2",
        **FAST,
        **env,
    }
    with log.open("ab") as out:
        # The working directory holds no .env, so only these settings apply.
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], cwd=workdir, env=env, stdout=out, stderr=out
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)


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


async def test_nothing_is_shown_and_repeating_works_when_the_bot_dies_before_the_commit(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"
    log = tmp_path / "bot.log"
    await seed(db_url)
    async with run_emulator(rate_limits=False) as emu:
        people = People(emu=emu, timeout=30)
        with bot_process(emu, db_url, tmp_path, log) as first:
            await until_confirm_shown(people)
            # This test holds the database's write lock: the bot can take the update from
            # Telegram but cannot commit anything for it.
            locker = create_engine(db_url)
            async with locker.connect() as conn:
                await conn.begin()  # BEGIN IMMEDIATE (db/engine.py)
                seen = len(emu.events)
                await press_confirm(emu)
                # Telegram forgets the update once the bot asked for the next ones.
                await emu.wait_for(lambda: len(emu.updates) == 0, 15, description="update taken")
                await kill(first)
                await conn.rollback()
            await locker.dispose()
        after = emu.events[seen:]
        assert not [e for e in after if e.chat_id == SEEKER and e.kind != "pressed"], after
        assert await requests(db_url) == [], log.read_text()
        with bot_process(emu, db_url, tmp_path, log):
            # The form is where it was: the person presses again, and it works.
            await people.tap(SEEKER, CONFIRM)
            await emu.wait_for(lambda: len(emu.updates) == 0, 15, description="update taken")
            await until_answers_sent(db_url)
            [ref] = await requests(db_url)
            await people.wait(lambda: shown_to_seeker(emu, ref), "the confirmation")
        assert len(shown_to_seeker(emu, ref)) == 1, log.read_text()


async def test_the_confirmation_arrives_once_after_restart_when_the_bot_dies_before_sending_it(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"
    log = tmp_path / "bot.log"
    await seed(db_url)
    async with run_emulator(rate_limits=False) as emu:
        people = People(emu=emu, timeout=30)
        with bot_process(emu, db_url, tmp_path, log) as first:
            await until_confirm_shown(people)
            emu.hold(SEEKER)
            await press_confirm(emu)
            # Committed: the answer is on its way to the seeker's chat, held there.
            await emu.wait_for(lambda: emu.held_calls >= 1, 15, description="answer held")
            await kill(first)
            await emu.wait_held_callers_gone()
        emu.release()
        [ref] = await requests(db_url)
        assert shown_to_seeker(emu, ref) == [], "the held answer never reached Telegram"
        with bot_process(emu, db_url, tmp_path, log):
            await people.wait(lambda: shown_to_seeker(emu, ref), "the confirmation")
            await until_answers_sent(db_url)
        assert len(shown_to_seeker(emu, ref)) == 1, log.read_text()
        assert await requests(db_url) == [ref]


async def test_the_answer_is_sent_at_most_twice_when_the_bot_dies_before_recording_it(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"
    log = tmp_path / "bot.log"
    await seed(db_url)
    async with run_emulator(rate_limits=False) as emu:
        people = People(emu=emu, timeout=30)
        with bot_process(emu, db_url, tmp_path, log) as first:
            await until_confirm_shown(people)
            killed = asyncio.Event()

            def die_when_telegram_took_it(event: Event) -> None:
                # Telegram has applied the edit; the bot dies before it reads the response.
                if event.chat_id == SEEKER and event.kind == "edited" and not killed.is_set():
                    first.kill()
                    killed.set()

            emu.on_event = die_when_telegram_took_it
            await press_confirm(emu)
            await asyncio.wait_for(killed.wait(), 15)
            emu.on_event = None
            await asyncio.to_thread(first.wait, 15)
        [ref] = await requests(db_url)
        assert len(shown_to_seeker(emu, ref)) == 1
        assert await unsent_answers(db_url) >= 1, "the send was not recorded"
        with bot_process(emu, db_url, tmp_path, log):
            await until_answers_sent(db_url)
        # Sent again after the lease: Telegram answers "not modified", the person sees one.
        assert 1 <= len(shown_to_seeker(emu, ref)) <= 2, log.read_text()
        assert await requests(db_url) == [ref]
