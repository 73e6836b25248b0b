"""Fixtures for end-to-end tests against the local Bot API emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.emulator import Emulator, run_emulator

TEST_TOKEN = "123456:emulator-test-token"


def make_bot(emu: Emulator) -> Bot:
    """A real aiogram Bot talking HTTP to the emulator, configured like the production bot."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    return Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    # Functional tests want no flood limits; tests about limits switch them on explicitly.
    async with run_emulator(rate_limits=False) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    client = make_bot(emu)
    yield client
    await client.session.close()
