"""A volunteer's card in the coordinators' console, opened from the /volunteers list, and its
buttons: approve or reject a volunteer who waits, ban (after a question) and lift a ban. After
an action the card shows the new state; a stale button or a double tap gets an alert."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.console_callbacks import CardAction, VolunteerCardCb
from handlers.views.volunteer_cards import (
    ban_question,
    banned_text,
    no_volunteer_text,
    unbanned_text,
    unchanged_text,
    volunteer_keyboard,
    volunteer_text,
)
from matching.areas import Areas
from services.banning import Banned, ban_volunteer, unban_volunteer
from services.clock import Clock
from services.coordination_queries import volunteer_card
from services.rules import Rules
from services.session import Session
from services.volunteers import Decided, decide_volunteer

# What a card action did, as the coordinator hears it; None: nothing changed (an alert).
Toast = str | None
# The buttons that only show something.
VIEWS = (CardAction.OPEN, CardAction.SHOW, CardAction.BAN)


async def _act(
    action: CardAction,
    volunteer_id: int,
    actor_id: int,
    session: Session,
    clock: Clock,
    rules: Rules,
) -> Toast:
    """Do what the button says; what to tell the coordinator (None: nothing changed)."""
    now = clock.now()
    if action in (CardAction.APPROVE, CardAction.REJECT):
        approve = action is CardAction.APPROVE
        decided = await decide_volunteer(
            session, coordinator_id=actor_id, volunteer_id=volunteer_id, approve=approve, now=now
        )
        if decided not in (Decided.APPROVED, Decided.REJECTED):
            return None
        return _("Approved.") if approve else _("Not approved.")
    if action is CardAction.BAN_SURE:
        done = await ban_volunteer(
            session, volunteer_id=volunteer_id, actor_id=actor_id, rules=rules, now=now
        )
        return banned_text(done) if done.outcome is Banned.BANNED else None
    unbanned = await unban_volunteer(session, volunteer_id=volunteer_id, actor_id=actor_id, now=now)
    return unbanned_text() if unbanned is Banned.UNBANNED else None


async def _show(
    query: CallbackQuery,
    callback_data: VolunteerCardCb,
    session: Session,
    clock: Clock,
    areas: Areas,
    i18n: I18n,
) -> bool:
    """Open the card as a new message (the list stays), ask before a ban, or edit this message
    into the card. False if there is no such volunteer."""
    card = await volunteer_card(session, callback_data.volunteer_id, now=clock.now())
    if card is None or not isinstance(query.message, Message):
        return False
    text, keyboard = volunteer_text(card, areas, i18n.current_locale), volunteer_keyboard(card)
    if callback_data.action is CardAction.OPEN:
        await query.message.answer(text, reply_markup=keyboard)
    elif callback_data.action is CardAction.BAN:
        question, yes_no = ban_question(card)
        await query.message.edit_text(question, reply_markup=yes_no)
    else:
        await query.message.edit_text(text, reply_markup=keyboard)
    return True


async def on_card(
    query: CallbackQuery,
    callback_data: VolunteerCardCb,
    session: Session,
    clock: Clock,
    areas: Areas,
    rules: Rules,
    i18n: I18n,
) -> None:
    cb = callback_data
    toast: Toast = ""
    if cb.action not in VIEWS:
        toast = await _act(cb.action, cb.volunteer_id, query.from_user.id, session, clock, rules)
        cb = VolunteerCardCb(action=CardAction.SHOW, volunteer_id=cb.volunteer_id)
    if not await _show(query, cb, session, clock, areas, i18n):
        await query.answer(no_volunteer_text(), show_alert=True)
    elif toast is None:
        await query.answer(unchanged_text(), show_alert=True)
    else:
        await query.answer(toast or None)


def router() -> Router:
    r = Router(name="coordinator.volunteer_cards")
    r.callback_query.register(on_card, VolunteerCardCb.filter())
    return r
