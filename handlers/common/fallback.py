"""Last resort: whatever no other handler took gets a clear answer, never silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


async def on_unknown_command(message: Message) -> None:
    await message.answer(_("I do not know this command here. Send /help to see what you can do."))


async def on_anything(message: Message) -> None:
    await message.answer(
        _("I did not understand that. Send /start to begin. Send /help to see all commands.")
    )


async def on_stale_button(query: CallbackQuery) -> None:
    await query.answer(
        _("This button is no longer valid. Send /start to begin again."), show_alert=True
    )


def router() -> Router:
    r = Router(name="fallback")
    r.message.register(on_unknown_command, F.text.startswith("/"))
    r.message.register(on_anything)
    r.callback_query.register(on_stale_button)
    return r
