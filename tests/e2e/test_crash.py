"""The real bot as its own process, killed with SIGKILL after a request is committed and before
any offer went out, then started again: every offer arrives, exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.demo import SEEKER, ask_for_furniture_help
from bot.emulator import run_emulator
from bot.stage import People
from tests.e2e.processes import VOLUNTEERS, bot_process, seed, until_offers_sent


async def test_every_offer_arrives_exactly_once_when_the_bot_is_killed_before_sending(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"
    log = tmp_path / "bot.log"
    await seed(db_url)
    async with run_emulator(rate_limits=False) as emu:
        people = People(emu=emu, timeout=30)
        for user_id in VOLUNTEERS:
            people.person(user_id, f"v{user_id}")
        emu.hold(*VOLUNTEERS)
        async with bot_process(emu, db_url, tmp_path, log) as first:
            await ask_for_furniture_help(people)
            # The request is committed and its three offers are on their way, none delivered.
            await emu.wait_for(lambda: emu.held_calls >= 3, 30, description="three offers held")
            first.kill()
            await asyncio.to_thread(first.wait, 15)
            await emu.wait_held_callers_gone()
        emu.release()
        assert not any(emu.messages_to(v) for v in VOLUNTEERS), log.read_text()
        async with bot_process(emu, db_url, tmp_path, log):
            for user_id in VOLUNTEERS:
                await people.tap_ready(user_id, "o:accept:")
            await until_offers_sent(db_url, 3)
        for user_id in VOLUNTEERS:
            offers = [m for m in emu.messages_to(user_id) if m.inline_buttons]
            assert len(offers) == 1, emu.describe(user_id)
        assert any("Anfrage" in (m.text or "") for m in emu.messages_to(SEEKER))
