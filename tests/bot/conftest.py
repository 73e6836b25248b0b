from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_dispatcher
from bot.areas import load_areas
from bot.config import DEFAULT_AREAS_FILE, DEFAULT_LOCALES_DIR, Settings
from services.clock import FrozenClock
from services.rules import Rules
from tests.bot.harness import Harness, RecordingSession, make_bot
from tests.conftest import COORDINATOR_ID


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url,
        coordinators=(COORDINATOR_ID,),
        locales_dir=DEFAULT_LOCALES_DIR,
        areas_file=DEFAULT_AREAS_FILE,
    )


@pytest.fixture
def woken() -> list[int]:
    return []


@pytest.fixture
async def harness(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
    woken: list[int],
) -> AsyncIterator[Harness]:
    transport = RecordingSession()
    bot = make_bot(transport)
    i18n = I18n(path=Path(settings.locales_dir), default_locale=settings.default_locale)
    dp = create_dispatcher(
        settings=settings,
        sessions=sessions,
        clock=clock,
        rules=rules,
        areas=load_areas(settings.areas_file),
        i18n=i18n,
        wake=lambda: woken.append(1),
    )
    yield Harness(dp=dp, bot=bot, transport=transport)
    await bot.session.close()
