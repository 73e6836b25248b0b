"""Last resort: whatever no other handler took gets a clear answer, never silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

router = Router(name="fallback")
# Conversations happen in private chats; in a group (the coordinators') the bot stays quiet.
router.message.filter(F.chat.type == ChatType.PRIVATE)


@router.message(F.text.startswith("/"))
async def on_unknown_command(message: Message) -> None:
    await message.answer(_("I do not know this command here. /help lists what you can do."))


@router.message()
async def on_anything(message: Message) -> None:
    await message.answer(
        _("I did not understand that. Please use /start to begin, or /help for all commands.")
    )


@router.callback_query()
async def on_stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer valid. /start begins again."), show_alert=True)
