"""Webhook delivery: like Telegram, the emulator POSTs every update to the URL set with
``setWebhook`` (with the secret token in ``X-Telegram-Bot-Api-Secret-Token``) and posts it
again until it gets a 2xx: a bot process that dies mid-request loses nothing.

Up to ``max_connections`` updates are in flight at once (Telegram's default is 40), never two
of the same chat, and a chat's updates go in order: a retried update holds back its chat only.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp

from bot.emulator.models import JsonDict
from bot.emulator.updates import chat_of

if TYPE_CHECKING:
    from bot.emulator.emulator import Emulator

RETRY_SECONDS = 0.2  # Telegram waits longer; tests want the redelivery soon
POST_TIMEOUT = 60.0  # Telegram gives a webhook about a minute
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def acceptable_url(url: str) -> bool:
    """Telegram wants HTTPS; the emulator also takes plain HTTP on loopback (a test's proxy)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)


class WebhookDelivery:
    def __init__(self, emu: Emulator, max_connections: int = 40) -> None:
        self._emu = emu
        self.url = ""
        self.secret = ""
        self.max_connections = max_connections
        self._busy: set[int] = set()  # chats with an update in flight
        self._task: asyncio.Task[None] | None = None

    def set(self, url: str, secret: str) -> None:
        self.url, self.secret = url, secret
        # Posts go to loopback only: a test's bot or proxy, never a host on the network.
        if url and urlsplit(url).hostname in _LOOPBACK and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        self._emu.signal.notify()

    async def stop(self) -> None:
        self.url = ""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def posting(self) -> bool:
        return bool(self.url) and urlsplit(self.url).hostname in _LOOPBACK

    async def _run(self) -> None:
        posts: set[asyncio.Task[None]] = set()
        try:
            async with aiohttp.ClientSession() as http:
                while True:
                    await self._emu.signal.wait_until(self._ready, None)
                    if not self.posting or self._emu.updates.closed:
                        self._task = None
                        return
                    update = self._emu.updates.take_for(self._busy)
                    if update is None:
                        continue
                    self._busy.add(chat_of(update))
                    post = asyncio.create_task(self._deliver(http, update))
                    posts.add(post)
                    post.add_done_callback(posts.discard)
        finally:
            for post in posts:
                post.cancel()

    def _ready(self) -> bool:
        if not self.posting or self._emu.updates.closed:
            return True
        full = len(self._busy) >= self.max_connections
        return not full and self._emu.updates.has_for(self._busy)

    async def _deliver(self, http: aiohttp.ClientSession, update: JsonDict) -> None:
        """Post until a 2xx; then the update is gone from the queue."""
        try:
            while not await self._post(http, update):
                self._emu.stats.webhook_failures += 1
                await asyncio.sleep(RETRY_SECONDS)
            self._emu.updates.confirm_one(int(update["update_id"]))
            self._emu.stats.updates_delivered += 1
        finally:
            self._busy.discard(chat_of(update))
            self._emu.signal.notify()

    async def _post(self, http: aiohttp.ClientSession, update: JsonDict) -> bool:
        self._emu.stats.webhook_posts += 1
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret} if self.secret else {}
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
        try:
            async with http.post(self.url, json=update, headers=headers, timeout=timeout) as r:
                await r.read()
                return 200 <= r.status < 300
        except (aiohttp.ClientError, TimeoutError):
            return False
