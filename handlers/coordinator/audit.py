"""/audit: the latest admin actions, 20 a page, older and newer by buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from handlers.callbacks import AuditPageCb
from handlers.views.audit import audit_keyboard, audit_text
from services.audit import page
from services.rules import Rules
from services.session import Session


async def cmd_audit(message: Message, session: Session, rules: Rules, i18n: I18n) -> None:
    shown = await page(session)
    text = audit_text(shown, i18n.current_locale, rules.tz)
    await message.answer(text, reply_markup=audit_keyboard(shown))


async def on_page(
    query: CallbackQuery, callback_data: AuditPageCb, session: Session, rules: Rules, i18n: I18n
) -> None:
    shown = await page(session, offset=callback_data.offset)
    text = audit_text(shown, i18n.current_locale, rules.tz)
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=audit_keyboard(shown))
    await query.answer()


def router() -> Router:
    r = Router(name="coordinator-audit")
    r.message.register(cmd_audit, Command("audit"))
    r.callback_query.register(on_page, AuditPageCb.filter(F.offset >= 0))
    return r
