"""Coordinators and volunteers: approving them (/pending), their card (/volunteer), and the
Lotsen pool (/lotse, /unlotse, and the card's button)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import ApproveCb, Decision, LotseAction, LotseCb
from handlers.coordinator.args import user_mention, volunteer_named
from handlers.views.labels import label, name_label
from handlers.views.notices import render_notice
from handlers.views.volunteer_cards import volunteer_keyboard, volunteer_text
from handlers.views.volunteers import approval_payload
from matching.areas import Areas
from services.clock import Clock
from services.coordination_queries import pending_volunteers, volunteer_card
from services.outbox import Notice
from services.rules import Rules
from services.session import Session
from services.users import first_name
from services.volunteers import Decided, LotseOutcome, decide_volunteer, set_lotse

# The decisions that did not happen: the coordinator hears why in an alert.
NOT_DECIDED = (
    Decided.ALREADY_APPROVED,
    Decided.ALREADY_REJECTED,
    Decided.ALREADY_DECIDED,
    Decided.NOT_FOUND,
)


async def cmd_pending(
    message: Message, session: Session, clock: Clock, areas: Areas, rules: Rules, i18n: I18n
) -> None:
    cards = await pending_volunteers(session, now=clock.now())
    if not cards:
        await message.answer(_("Nobody is waiting for approval."))
        return
    for card in cards:
        text, keyboard = render_notice(
            Notice.APPROVAL_REQUEST,
            approval_payload(card),
            i18n.current_locale,
            areas=areas,
            tz=rules.tz,
        )
        await message.answer(text, reply_markup=keyboard)


async def on_decide(
    query: CallbackQuery,
    callback_data: ApproveCb,
    session: Session,
    clock: Clock,
    areas: Areas,
    rules: Rules,
    i18n: I18n,
) -> None:
    approve, volunteer_id = callback_data.action is Decision.APPROVE, callback_data.volunteer_id
    decided = await decide_volunteer(
        session,
        coordinator_id=query.from_user.id,
        volunteer_id=volunteer_id,
        approve=approve,
        now=clock.now(),
    )
    if decided in NOT_DECIDED:
        await query.answer(label(decided), show_alert=True)
        return
    payload = {
        "volunteer_id": volunteer_id,
        "name": await first_name(session, volunteer_id),
        "approved": approve,
        "by": query.from_user.id,
        "by_name": query.from_user.first_name,
    }
    text, _keyboard = render_notice(
        Notice.APPROVAL_DONE, payload, i18n.current_locale, areas=areas, tz=rules.tz
    )
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
    await query.answer(_("Approved.") if approve else _("Not approved."))


async def _set_lotse(
    message: Message, command: CommandObject, session: Session, clock: Clock, *, is_lotse: bool
) -> None:
    assert message.from_user is not None
    volunteer = await volunteer_named(message, command.args, command.command, session)
    if volunteer is None:
        return
    outcome = await set_lotse(
        session,
        volunteer_id=volunteer.user_id,
        is_lotse=is_lotse,
        actor_id=message.from_user.id,
        now=clock.now(),
    )
    who = await user_mention(session, volunteer.user_id)
    await message.answer(label(outcome).format(who=who))


async def cmd_lotse(
    message: Message, command: CommandObject, session: Session, clock: Clock
) -> None:
    await _set_lotse(message, command, session, clock, is_lotse=True)


async def cmd_unlotse(
    message: Message, command: CommandObject, session: Session, clock: Clock
) -> None:
    await _set_lotse(message, command, session, clock, is_lotse=False)


async def cmd_volunteer(
    message: Message,
    command: CommandObject,
    session: Session,
    clock: Clock,
    areas: Areas,
    i18n: I18n,
) -> None:
    volunteer = await volunteer_named(message, command.args, command.command, session)
    if volunteer is None:
        return
    card = await volunteer_card(session, volunteer.user_id, now=clock.now())
    assert card is not None
    text = volunteer_text(card, areas, i18n.current_locale)
    await message.answer(text, reply_markup=volunteer_keyboard(card))


async def on_lotse(
    query: CallbackQuery,
    callback_data: LotseCb,
    session: Session,
    clock: Clock,
    areas: Areas,
    i18n: I18n,
) -> None:
    volunteer_id = callback_data.volunteer_id
    outcome = await set_lotse(
        session,
        volunteer_id=volunteer_id,
        is_lotse=callback_data.action is LotseAction.SET,
        actor_id=query.from_user.id,
        now=clock.now(),
    )
    card = await volunteer_card(session, volunteer_id, now=clock.now())
    if outcome is LotseOutcome.NOT_FOUND or card is None:
        await query.answer(label(LotseOutcome.NOT_FOUND), show_alert=True)
        return
    if outcome is not LotseOutcome.UNCHANGED and isinstance(query.message, Message):
        text = volunteer_text(card, areas, i18n.current_locale)
        await query.message.edit_text(text, reply_markup=volunteer_keyboard(card))
    await query.answer(label(outcome).format(who=name_label(card.user.first_name)))


def router() -> Router:
    r = Router(name="coordinator.volunteers")
    r.message.register(cmd_pending, Command("pending"))
    r.message.register(cmd_lotse, Command("lotse"))
    r.message.register(cmd_unlotse, Command("unlotse"))
    r.message.register(cmd_volunteer, Command("volunteer"))
    r.callback_query.register(on_decide, ApproveCb.filter())
    r.callback_query.register(on_lotse, LotseCb.filter())
    return r
