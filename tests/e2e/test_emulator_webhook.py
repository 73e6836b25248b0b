"""The emulator as Telegram with a webhook: it posts every update to the URL set with
setWebhook, with the secret token, and posts it again until it gets a 2xx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiohttp import web

from bot.emulator import Emulator
from tests.e2e.several import free_port

SECRET = "hook-secret"


class Receiver:
    """A bot's webhook that refuses the first `refuse` posts (a process killed mid-request)."""

    def __init__(self, refuse: int) -> None:
        self.refuse = refuse
        self.posts: list[tuple[int, int, str]] = []  # (update id, chat, secret) per post
        self.changed = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        self.posts.append((update["update_id"], chat, secret))
        self.changed.set()
        if self.refuse > 0:
            self.refuse -= 1
            return web.Response(status=500)
        return web.json_response({})

    async def until(self, posts: int) -> None:
        async with asyncio.timeout(10):
            while len(self.posts) < posts:
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    hook = Receiver(refuse=1)
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield hook, f"http://127.0.0.1:{port}/hook"
    await runner.cleanup()


async def test_an_update_is_posted_again_when_the_webhook_did_not_answer_2xx(
    emu: Emulator, bot: Bot, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    emu.add_user(1, "Anna")
    assert await bot.set_webhook(url, secret_token=SECRET)
    await emu.user_sends(1, "hello")
    await hook.until(2)
    assert [(uid, secret) for uid, _chat, secret in hook.posts] == [(1, SECRET), (1, SECRET)]
    await emu.wait_for(lambda: len(emu.updates) == 0, 5, description="the update confirmed")
    assert emu.stats.webhook_failures == 1 and emu.stats.updates_delivered == 1


async def test_a_chats_next_update_waits_while_its_earlier_one_is_posted_again(
    emu: Emulator, bot: Bot, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    emu.add_user(1, "Anna")
    emu.add_user(2, "Ben")
    await emu.user_sends(1, "first")
    await emu.user_sends(1, "second")
    await emu.user_sends(2, "other chat")
    assert await bot.set_webhook(url, secret_token=SECRET)
    await hook.until(4)
    of_chat_1 = [uid for uid, chat, _secret in hook.posts if chat == 1]
    assert of_chat_1 == [1, 1, 2]  # refused, posted again, and only then the next one
    assert sorted(uid for uid, _chat, _secret in hook.posts) == [1, 1, 2, 3]
