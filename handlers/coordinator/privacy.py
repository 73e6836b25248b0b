"""/erase PERSON (delete everything about someone, after a confirmation; audited with no name)
and /privacy_report (how many people Lotse stores, requests by age, the last retention run)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from handlers.callbacks import EraseCb
from handlers.coordinator.args import parse_who
from handlers.views import privacy as views
from matching.status import AuditAction
from services.audit import record
from services.clock import Clock
from services.privacy.forget import erase_person
from services.privacy.report import find_person, privacy_report
from services.rules import Rules
from services.session import Session


async def cmd_erase(message: Message, command: CommandObject, session: Session) -> None:
    who = parse_who(command.args)
    if who is None:
        await message.answer(views.erase_usage())
        return
    user = await find_person(session, who)
    if user is None:
        await message.answer(views.nobody())
        return
    text, keyboard = views.erase_question(user.id, user.first_name)
    await message.answer(text, reply_markup=keyboard)


async def on_erase(
    query: CallbackQuery, callback_data: EraseCb, session: Session, rules: Rules, clock: Clock
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if not callback_data.yes:
        await query.message.edit_text(views.kept())
        return
    if await find_person(session, callback_data.user_id) is None:
        await query.message.edit_text(views.nobody())
        return
    now = clock.now()
    erased = await erase_person(session, user_id=callback_data.user_id, rules=rules, now=now)
    # The row names the tombstone, which links to nobody.
    action = AuditAction.PERSON_ERASED
    await record(
        session,
        actor_id=query.from_user.id,
        action=action,
        now=now,
        target_user_id=erased.tombstone,
    )
    await query.message.edit_text(views.erased())


async def cmd_privacy_report(
    message: Message, session: Session, clock: Clock, rules: Rules, i18n: I18n
) -> None:
    report = await privacy_report(session, now=clock.now())
    await message.answer(views.report_text(report, i18n.current_locale, rules.tz))


def router() -> Router:
    r = Router(name="coordinator-privacy")
    r.message.register(cmd_erase, Command("erase"))
    r.message.register(cmd_privacy_report, Command("privacy_report"))
    r.callback_query.register(on_erase, EraseCb.filter())
    return r
