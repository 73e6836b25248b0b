"""Is the token good? Telegram is asked who the bot is before anything else happens."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from aiogram.utils.token import TokenValidationError

from bot.app import create_bot
from bot.config import Settings
from bot.startup import Problem

log = logging.getLogger(__name__)

NO_TOKEN = "LOTSE_BOT_TOKEN is not set; get one from @BotFather (`lotse demo` needs none)"
NOT_A_TOKEN = "LOTSE_BOT_TOKEN: this is not a bot token (like 123456789:AAH…); ask @BotFather"
BAD_TOKEN = "LOTSE_BOT_TOKEN: Telegram does not accept this token; get one from @BotFather"


async def who_am_i(settings: Settings) -> User:
    """Ask Telegram who the bot is: a wrong token is said at once, an unreachable Telegram is
    asked again with growing pauses, a bounded number of times."""
    if settings.bot_token is None or not settings.bot_token.get_secret_value():
        raise Problem(NO_TOKEN)
    try:
        bot = create_bot(settings)
    except TokenValidationError:
        raise Problem(NOT_A_TOKEN) from None
    try:
        return await _ask(bot, settings)
    finally:
        await bot.session.close()


async def _ask(bot: Bot, settings: Settings) -> User:
    pause = settings.telegram_connect_backoff_seconds
    attempts = settings.telegram_connect_attempts
    for attempt in range(1, attempts + 1):
        try:
            return await bot.get_me()
        except (TelegramUnauthorizedError, TelegramNotFound):
            raise Problem(BAD_TOKEN) from None
        except (TelegramNetworkError, TelegramServerError) as exc:
            if attempt == attempts:
                break
            log.warning("Telegram cannot be reached (%s); trying again", type(exc).__name__)
            await asyncio.sleep(pause)
            pause *= 2
    where = settings.telegram_api_url or "api.telegram.org"
    raise Problem(
        f"LOTSE_BOT_TOKEN: cannot reach Telegram at {where} ({attempts} tries); "
        "check the network (or LOTSE_TELEGRAM_API_URL)"
    )
