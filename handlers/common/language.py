"""Choosing the language the bot speaks to a person."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import LangCb, MenuAction, MenuCb
from handlers.keyboards import button, markup
from handlers.views.labels import language_label
from services.session import Session
from services.users import set_locale


def language_keyboard(i18n: I18n) -> InlineKeyboardMarkup:
    codes = sorted(i18n.available_locales)
    return markup([[button(language_label(code), LangCb(code=code))] for code in codes])


async def cmd_language(message: Message, i18n: I18n) -> None:
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard(i18n))


async def on_language_menu(query: CallbackQuery, i18n: I18n) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Choose your language:"),
            reply_markup=language_keyboard(i18n),
        )
    await query.answer()


async def on_language(
    query: CallbackQuery, callback_data: LangCb, session: Session, i18n: I18n
) -> None:
    if callback_data.code not in i18n.available_locales:
        await query.answer(_("This language is not available yet."), show_alert=True)
        return
    await set_locale(session, user_id=query.from_user.id, locale=callback_data.code)
    with i18n.use_locale(callback_data.code):
        if isinstance(query.message, Message):
            await query.message.edit_text(_("Language changed. /start shows what you can do."))
        await query.answer()


def router() -> Router:
    r = Router(name="language")
    r.message.register(cmd_language, Command("language"))
    r.callback_query.register(on_language_menu, MenuCb.filter(F.action == MenuAction.LANG))
    r.callback_query.register(on_language, LangCb.filter())
    return r
