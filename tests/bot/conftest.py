from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_pipeline
from bot.areas import load_areas
from bot.config import DEFAULT_AREAS_FILE, DEFAULT_LOCALES_DIR, Settings
from services.clock import FrozenClock
from services.rules import Rules
from tests.bot.harness import Harness, RecordingSession, make_bot
from tests.conftest import COORDINATOR_ID


def build_harness(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
    transport: RecordingSession,
) -> Harness:
    """The real dispatcher over `transport`; the real sender delivers each update's answers
    (only they go out: the sender's loop does not run here)."""
    bot = make_bot(transport)
    sender, dp, _leadership = create_pipeline(
        settings,
        bot=bot,
        sessions=sessions,
        clock=clock,
        rules=rules,
        areas=load_areas(settings.areas_file),
        i18n=I18n(path=Path(settings.locales_dir), default_locale=settings.default_locale),
    )
    return Harness(dp=dp, bot=bot, transport=transport, settle=sender.settled)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        coordinators=(COORDINATOR_ID,),
        locales_dir=DEFAULT_LOCALES_DIR,
        areas_file=DEFAULT_AREAS_FILE,
        # Pacing has its own tests; here it must not hold a quick tapper up.
        send_rate_global=1e6,
        send_rate_per_chat=1e6,
        send_rate_group_per_minute=1e6,
        flood_burst=1000,  # tests tap faster than people; the flood guard has its own tests
        # The privacy notice has its own tests (tests/bot/test_consent.py); here, everybody
        # has agreed to it.
        privacy_notice=False,
    )


@pytest.fixture
async def harness(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
) -> AsyncIterator[Harness]:
    harness = build_harness(settings, sessions, clock, rules, RecordingSession())
    yield harness
    await harness.bot.session.close()
