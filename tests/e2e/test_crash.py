"""The real bot as its own process, killed with SIGKILL after a request is committed and before
any offer went out, then started again: every offer arrives, exactly once."""

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

from bot.demo import ANNA, BEN, CEM, SEEKER, ask_for_furniture_help
from bot.emulator import Emulator, run_emulator
from bot.stage import TOKEN, People
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import OutboxMessage, OutboxStatus
from tests.conftest import T0
from tests.factories import add_volunteer

VOLUNTEERS = (ANNA, BEN, CEM)


@contextmanager
def bot_process(
    emu: Emulator, db_url: str, workdir: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    env = os.environ | {
        "LOTSE_BOT_TOKEN": TOKEN,
        "LOTSE_TELEGRAM_API_URL": emu.base_url,
        "LOTSE_DATABASE_URL": db_url,
        "LOTSE_COORDINATORS": "900001",
        "LOTSE_SEND_LEASE_SECONDS": "1",
        "LOTSE_SEND_IDLE_POLL_SECONDS": "0.2",
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
        with bot_process(emu, db_url, tmp_path, log) as first:
            await ask_for_furniture_help(people)
            # The request is committed and its three offers are on their way, none delivered.
            await emu.wait_for(lambda: emu.held_calls >= 3, 30, description="three offers held")
            first.kill()
            await asyncio.to_thread(first.wait, 15)
            await emu.wait_held_callers_gone()
        emu.release()
        assert not any(emu.messages_to(v) for v in VOLUNTEERS), log.read_text()
        with bot_process(emu, db_url, tmp_path, log):
            for user_id in VOLUNTEERS:
                await people.tap_ready(user_id, "o:accept:")
            await until_offers_sent(db_url, 3)
        for user_id in VOLUNTEERS:
            offers = [m for m in emu.messages_to(user_id) if m.inline_buttons]
            assert len(offers) == 1, emu.describe(user_id)
        assert any("Anfrage" in (m.text or "") for m in emu.messages_to(SEEKER))
