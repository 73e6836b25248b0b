"""A Telegram outage while offers are in flight: every send answers 502 for a while (far more
failures than the old limit of five attempts per row), then Telegram is back. The outage is
counted in failed calls, not in seconds, so the test does not wait 45 real seconds."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.demo import SEEKER
from bot.emulator import run_emulator
from bot.stage import People
from db.engine import create_engine, create_session_factory
from db.models import OutboxMessage, OutboxStatus
from tests.e2e.processes import (
    CONFIRM,
    VOLUNTEERS,
    bot_process,
    seed,
    until_confirm_shown,
    until_offers_sent,
)

FAILED_CALLS = 24  # three offers: eight failures each on average, more than five attempts


async def test_every_offer_arrives_when_telegram_answers_502_for_a_long_while(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"
    log = tmp_path / "bot.log"
    await seed(db_url)
    async with run_emulator(rate_limits=False) as emu:
        people = People(emu=emu, timeout=30)
        fast = {"LOTSE_SEND_BACKOFF_SECONDS": "0.05", "LOTSE_SEND_BACKOFF_MAX_SECONDS": "0.2"}
        async with bot_process(emu, db_url, tmp_path, log, **fast):
            await until_confirm_shown(people)
            emu.fail_next("sendMessage", 502, "Bad Gateway", count=FAILED_CALLS)
            await people.tap(SEEKER, CONFIRM)  # the confirmation is an edit: not affected
            await until_offers_sent(db_url, 3, timeout=60)
        engine = create_engine(db_url)
        async with create_session_factory(engine)() as session:
            failed = await session.scalar(
                select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED)
            )
            attempts = (
                await session.scalars(
                    select(OutboxMessage.attempts).where(OutboxMessage.kind == "offer")
                )
            ).all()
        await engine.dispose()
        assert failed == 0, log.read_text()
        assert sum(attempts) >= FAILED_CALLS - 3 and max(attempts) > 5, attempts
        for user_id in VOLUNTEERS:
            offers = [m for m in emu.messages_to(user_id) if m.inline_buttons]
            assert len(offers) == 1, emu.describe(user_id)
