"""The privacy notice at first contact: until a person agrees, every message they send in a
private chat is answered with the notice and its question, and every button they press with a
reminder of it; nothing about them is stored (the unit of work, bot/middlewares.py, stores no
name and keeps its answers out of the outbox). /privacy shows the notice again at any time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from handlers.common.start import start_keyboard, welcome_text
from handlers.privacy_callbacks import ConsentAction, ConsentCb
from handlers.views.consent import (
    agreed_note,
    answer_first,
    declined_text,
    notice_body,
    question,
    question_keyboard,
)
from matching.locales import offered
from matching.status import Consent
from services.clock import Clock
from services.consent import agree, decline
from services.rules import Rules
from services.session import Session

UNASKED = "unasked"  # no user behind the update, or the notice is switched off


class NotAgreed(Filter):
    """The person has not agreed (yet): the unit of work put their answer into the data."""

    async def __call__(self, event: Any, consent: Consent | str | None = UNASKED) -> bool:
        return consent != UNASKED and consent is not Consent.AGREED


async def show_notice(
    message: Message, notices: Mapping[str, str], rules: Rules, i18n: I18n
) -> None:
    locale = i18n.current_locale
    await message.answer(
        question(notices, locale, rules.keep_closed_days),
        reply_markup=question_keyboard(locale, list(i18n.available_locales)),
    )


async def remind(query: CallbackQuery) -> None:
    await query.answer(answer_first(), show_alert=True)


async def on_language(
    query: CallbackQuery,
    callback_data: ConsentCb,
    notices: Mapping[str, str],
    rules: Rules,
    i18n: I18n,
) -> None:
    """The notice in the language chosen on it; the choice is remembered only by the buttons."""
    code = callback_data.lang
    if code not in offered(i18n.available_locales):
        await query.answer(answer_first(), show_alert=True)
        return
    with i18n.use_locale(code):
        text = question(notices, code, rules.keep_closed_days)
        keyboard = question_keyboard(code, list(i18n.available_locales), chosen=code)
        if isinstance(query.message, Message):
            await query.message.edit_text(text, reply_markup=keyboard)
    await query.answer()


async def on_agree(
    query: CallbackQuery,
    callback_data: ConsentCb,
    state: FSMContext,
    session: Session,
    clock: Clock,
    i18n: I18n,
    consent: Consent | str | None = UNASKED,
) -> None:
    if consent is Consent.AGREED:  # a second tap, or an old notice
        await query.answer()
        return
    chosen = callback_data.lang if callback_data.lang in i18n.available_locales else None
    tg = query.from_user
    await agree(
        session,
        user_id=tg.id,
        first_name=tg.first_name,
        username=tg.username,
        language_code=tg.language_code,
        locale=chosen,
        now=clock.now(),
    )
    await state.clear()
    with i18n.use_locale(chosen or i18n.current_locale):
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(welcome_text(), reply_markup=start_keyboard())
    await query.answer()


async def on_decline(
    query: CallbackQuery,
    callback_data: ConsentCb,
    session: Session,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
    consent: Consent | str | None = UNASKED,
) -> None:
    if consent is Consent.AGREED:  # an old notice: deleting everything is /forget
        await query.answer(agreed_note(), show_alert=True)
        return
    await decline(session, user_id=query.from_user.id, rules=rules, now=clock.now())
    with i18n.use_locale(callback_data.lang or i18n.current_locale):
        if isinstance(query.message, Message):
            await query.message.edit_text(declined_text())
    await query.answer()


async def cmd_privacy(
    message: Message,
    notices: Mapping[str, str],
    rules: Rules,
    i18n: I18n,
) -> None:
    """The notice again, for somebody who agreed (whoever has not is asked it, above)."""
    body = notice_body(notices, i18n.current_locale, rules.keep_closed_days)
    await message.answer(body + "\n\n" + agreed_note())


def router() -> Router:
    r = Router(name="consent")
    private = F.chat.type == ChatType.PRIVATE
    r.callback_query.register(on_language, ConsentCb.filter(F.action == ConsentAction.LANGUAGE))
    r.callback_query.register(on_agree, ConsentCb.filter(F.action == ConsentAction.AGREE))
    r.callback_query.register(on_decline, ConsentCb.filter(F.action == ConsentAction.DECLINE))
    r.callback_query.register(remind, NotAgreed(), F.message.chat.type == ChatType.PRIVATE)
    r.message.register(show_notice, NotAgreed(), private)
    r.message.register(cmd_privacy, Command("privacy"), private)
    return r
