"""Fixtures for end-to-end tests against the local Bot API emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import Emulator, run_emulator
from bot.sender import OutboxSender, RenderFn
from services.clock import SystemClock
from services.rules import Rules

TEST_TOKEN = "123456:emulator-test-token"
CONFORMANCE_MODULE = "test_conformance.py"


def make_bot(emu: Emulator) -> Bot:
    """A real aiogram Bot talking HTTP to the emulator, configured like the production bot."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    return Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))


class ApiTraffic:
    """Every result any emulator answered with during the session, as the JSON it sent."""

    def __init__(self) -> None:
        self.results: list[tuple[str, str]] = []

    def __call__(self, method: str, result: Any) -> None:
        # Serialised at once: the emulator keeps changing the objects it answered with.
        self.results.append((method, json.dumps(result)))


@pytest.fixture(scope="session", autouse=True)
def api_traffic() -> Iterator[ApiTraffic]:
    """Records the traffic of every emulator the e2e tests start, for test_conformance.py."""
    traffic = ApiTraffic()
    Emulator.result_observers.append(traffic)
    yield traffic
    Emulator.result_observers.remove(traffic)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The conformance check runs last, over the traffic of every e2e test before it."""
    last = [item for item in items if item.path.name == CONFORMANCE_MODULE]
    items[:] = [item for item in items if item.path.name != CONFORMANCE_MODULE] + last


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


def emulator_sender(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    rules: Rules,
    render: RenderFn,
    *,
    rate_global: float = 30,
) -> OutboxSender:
    """The real outbox sender against the emulator, paced as against Telegram, retrying fast."""
    return OutboxSender(
        bot=bot,
        sessions=sessions,
        render=render,
        clock=SystemClock(),
        rules=rules,
        rate_global=rate_global,
        rate_per_chat=1,
        group_per_minute=20,
        max_attempts=3,
        backoff_seconds=0.2,
        idle_poll_seconds=0.2,
        available_locales=("de",),
    )
