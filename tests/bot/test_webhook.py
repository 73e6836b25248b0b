"""Webhook mode: Telegram's secret-token header is checked before any update is handled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram.methods import SendMessage
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import App, close, create_app, start_background
from bot.config import Settings
from bot.run import webhook_app
from tests.bot.harness import Harness, RecordingSession, make_bot

SECRET = "s3cret-token"


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    webhook = settings.model_copy(
        update={
            "mode": "webhook",
            "webhook_secret": SecretStr(SECRET),
            "webhook_base_url": "https://x",
        }
    )
    transport = RecordingSession()
    built = await create_app(webhook, bot=make_bot(transport))
    if built.leadership is not None:  # PostgreSQL: only the elected sender sends the answers
        await start_background(built)
        await asyncio.wait_for(built.leadership.elected.wait(), 10)
    yield built
    await close(built)


async def post(app: App, headers: dict[str, str]) -> tuple[int, list[SendMessage]]:
    update = Harness(dp=app.dp, bot=app.bot, transport=RecordingSession()).message_update(
        501, {"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
    )
    async with TestClient(TestServer(webhook_app(app))) as client:
        response = await client.post(app.settings.webhook_path, json=update, headers=headers)
        status = response.status
        transport = app.bot.session
        assert isinstance(transport, RecordingSession)
    # Leaving the client shuts the web app down, which lets background updates finish.
    return status, [c for c in transport.calls if isinstance(c, SendMessage)]


async def test_an_update_without_the_secret_token_is_refused_and_not_handled(app: App) -> None:
    status, sent = await post(app, {"X-Telegram-Bot-Api-Secret-Token": "wrong"})
    assert status == 401 and sent == []


async def test_an_update_with_the_secret_token_is_handled(app: App) -> None:
    status, sent = await post(app, {"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert status == 200
    assert sent and sent[0].chat_id == 501
