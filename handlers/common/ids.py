"""/id: the Telegram ids an admin needs for LOTSE_COORDINATORS and LOTSE_COORDINATOR_CHAT_ID.
For everybody, before any registration, and the one command the bot answers in any group:
there it names the group's id too. Nothing else opens to groups."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from matching.text import isolate


def _code(telegram_id: int) -> str:
    return f"<code>{isolate(str(telegram_id))}</code>"


def id_text(user_id: int | None, chat_id: int, chat_type: str) -> str:
    lines = []
    if user_id is not None:
        lines.append(_("Your Telegram id: {id}").format(id=_code(user_id)))
    if chat_type != ChatType.PRIVATE:
        lines.append(_("The id of this group: {id}").format(id=_code(chat_id)))
    return "\n".join(lines)


async def cmd_id(message: Message) -> None:
    user_id = message.from_user.id if message.from_user else None
    await message.answer(id_text(user_id, message.chat.id, message.chat.type))


def router() -> Router:
    r = Router(name="ids")
    r.message.register(cmd_id, Command("id"))
    return r
