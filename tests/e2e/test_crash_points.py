"""The real bot process killed with SIGKILL at three points of one update, the seeker's
"Send request": before the commit, after the commit before the answer went out, and after
Telegram took the answer before the bot recorded it. Then started again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.demo import SEEKER
from bot.emulator import run_emulator
from bot.emulator.models import Event
from bot.stage import People
from db.engine import create_engine
from tests.e2e.processes import (
    CONFIRM,
    bot_process,
    kill,
    press_confirm,
    requests,
    seed,
    shown_to_seeker,
    unsent_answers,
    until_answers_sent,
    until_confirm_shown,
)


async def test_nothing_is_shown_and_repeating_works_when_the_bot_dies_before_the_commit(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"
    log = tmp_path / "bot.log"
    await seed(db_url)
    async with run_emulator(rate_limits=False) as emu:
        people = People(emu=emu, timeout=30)
        async with bot_process(emu, db_url, tmp_path, log) as first:
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
        async with bot_process(emu, db_url, tmp_path, log):
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
        async with bot_process(emu, db_url, tmp_path, log) as first:
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
        async with bot_process(emu, db_url, tmp_path, log):
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
        async with bot_process(emu, db_url, tmp_path, log) as first:
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
        async with bot_process(emu, db_url, tmp_path, log):
            await until_answers_sent(db_url)
        # Sent again after the lease: Telegram answers "not modified", the person sees one.
        assert 1 <= len(shown_to_seeker(emu, ref)) <= 2, log.read_text()
        assert await requests(db_url) == [ref]
