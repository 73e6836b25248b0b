"""A local Telegram Bot API emulator for end-to-end tests, benchmarks and the offline demo.

Typical use::

    async with run_emulator(rate_limits=False) as emu:
        emu.add_user(1, "Anna")
        bot = Bot("123:abc", session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
        await emu.user_sends(1, "/start")
        reply = await emu.wait_for_message(1, contains="Willkommen")
"""

from bot.emulator.emulator import Emulator, EventHook
from bot.emulator.models import (
    ApiError,
    CallbackRecord,
    Chat,
    Edit,
    Event,
    SendRecord,
    Stats,
    StoredMessage,
    User,
)
from bot.emulator.render import format_event
from bot.emulator.server import build_app, run_emulator
from bot.emulator.tg_html import HtmlParseError, parse_html

__all__ = [
    "ApiError",
    "CallbackRecord",
    "Chat",
    "Edit",
    "Emulator",
    "Event",
    "EventHook",
    "HtmlParseError",
    "SendRecord",
    "Stats",
    "StoredMessage",
    "User",
    "build_app",
    "format_event",
    "parse_html",
    "run_emulator",
]
