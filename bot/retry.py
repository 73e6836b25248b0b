"""Bot API calls that Telegram answers with 429 are retried once after the time it asks for.

Direct answers to the acting user go out from the handler; a person tapping quickly can push
them over the per-chat limit. Longer waits are left to the caller (the outbox sender parks the
row and retries later without blocking anyone)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType


class RetryAfterOnce(BaseRequestMiddleware):
    def __init__(self, max_wait: float = 3.0) -> None:
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as exc:
            if exc.retry_after > self.max_wait:
                raise
            await asyncio.sleep(exc.retry_after)
            return await make_request(bot, method)
