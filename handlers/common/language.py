"""Choosing the language the bot speaks to a person: on first contact, when Telegram's language
has no catalog here, the picker comes before anything else; `/language` and the 🌐 button show it
again, with the current language marked."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import LangCb, MenuAction, MenuCb
from handlers.common.start import cmd_start
from handlers.keyboards import LANGUAGE_BUTTON, languages
from matching.locales import offered, own_name
from services.session import Session
from services.users import set_locale


def picker(i18n: I18n, *, language_unknown: bool) -> tuple[str, InlineKeyboardMarkup]:
    """The question and the buttons. Whoever has no language with us yet is asked in every
    language we have, and nothing is marked."""
    codes = offered(i18n.available_locales)
    if language_unknown:
        asked = dict.fromkeys(i18n.gettext("Choose your language:", locale=code) for code in codes)
        return "🌐\n" + "\n".join(asked), languages(codes)
    return _("Choose your language:"), languages(codes, marked=i18n.current_locale)


def first_contact(message: Message, language_unknown: bool = False) -> bool:
    """A filter: /start or a message that is no command, from someone who has no language
    with us yet, gets the picker before anything else."""
    text = message.text or ""
    command = text.split(maxsplit=1)[0].split("@")[0] if text.startswith("/") else None
    return language_unknown and command in (None, "/start")


async def cmd_first_contact(message: Message, i18n: I18n) -> None:
    text, keyboard = picker(i18n, language_unknown=True)
    await message.answer(text, reply_markup=keyboard)


async def cmd_language(message: Message, i18n: I18n, language_unknown: bool = False) -> None:
    text, keyboard = picker(i18n, language_unknown=language_unknown)
    await message.answer(text, reply_markup=keyboard)


async def on_language_menu(
    query: CallbackQuery, i18n: I18n, language_unknown: bool = False
) -> None:
    if isinstance(query.message, Message):
        text, keyboard = picker(i18n, language_unknown=language_unknown)
        await query.message.answer(text, reply_markup=keyboard)
    await query.answer()


async def on_language(
    query: CallbackQuery,
    callback_data: LangCb,
    session: Session,
    i18n: I18n,
    state: FSMContext,
    user_locale: tuple[str | None, str | None] = (None, None),
) -> None:
    """The choice is stored, and the person greeted in it as /start greets; the same choice
    again (a double tap) changes nothing and greets no second time."""
    code = callback_data.code
    if code not in i18n.available_locales:
        await query.answer(_("This language is not available yet."), show_alert=True)
        return
    await set_locale(session, user_id=query.from_user.id, locale=code)
    with i18n.use_locale(code):
        if isinstance(query.message, Message):
            await query.message.edit_text(f"{LANGUAGE_BUTTON} ✓ {own_name(code)}")
            if user_locale[0] != code:
                await cmd_start(query.message, state)
        await query.answer()


def router() -> Router:
    r = Router(name="language")
    r.message.register(cmd_first_contact, StateFilter(None), first_contact)
    r.message.register(cmd_language, Command("language"))
    r.callback_query.register(on_language_menu, MenuCb.filter(F.action == MenuAction.LANG))
    r.callback_query.register(on_language, LangCb.filter())
    return r
