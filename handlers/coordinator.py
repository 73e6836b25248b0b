"""Coordinators: approving volunteers and the Lotsen pool. Requests are in coordinator_requests.

Every handler here and in the sub-router is for coordinators only: the middleware below answers
anybody else before a handler runs, so a forged button changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from handlers.callbacks import ApproveCb, LotseCb
from handlers.coordinator_notice import router as notice_router
from handlers.coordinator_requests import router as requests_router
from handlers.coordinator_requests import volunteer_named
from handlers.coordinator_views import (
    approval_payload,
    only_for_coordinators,
    volunteer_keyboard,
    volunteer_text,
)
from handlers.labels import name_label
from handlers.summary import mention
from handlers.views.notices import render_notice
from matching.areas import Areas
from services.clock import Clock
from services.coordination_queries import pending_volunteers, volunteer_card
from services.outbox import Notice
from services.rules import Rules
from services.volunteers import Decided, LotseOutcome, decide_volunteer, set_lotse

router = Router(name="coordinator")


class CoordinatorsOnly(BaseMiddleware):
    """Runs after the filters matched, so it guards exactly this router's handlers."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        rules: Rules = data["rules"]
        user: TgUser | None = data.get("event_from_user")
        if user is not None and rules.is_coordinator(user.id):
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            await event.answer(only_for_coordinators(), show_alert=True)
        elif isinstance(event, Message):
            await event.answer(only_for_coordinators())
        return None


# Inner middlewares reach the handlers of included routers too.
router.message.middleware(CoordinatorsOnly())
router.callback_query.middleware(CoordinatorsOnly())
router.include_routers(requests_router, notice_router)


@router.message(Command("pending"))
async def cmd_pending(
    message: Message, session: AsyncSession, clock: Clock, areas: Areas, rules: Rules, i18n: I18n
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


DECIDED_ALERTS = {
    Decided.ALREADY_APPROVED: lambda: _("This was already decided: the volunteer is approved."),
    Decided.ALREADY_REJECTED: lambda: _("This was already decided: the volunteer is not approved."),
    Decided.ALREADY_DECIDED: lambda: _("Another coordinator has already decided."),
    Decided.NOT_FOUND: lambda: _("This volunteer does not exist."),
}


@router.callback_query(ApproveCb.filter(F.action.in_({"approve", "reject"})))
async def on_decide(
    query: CallbackQuery,
    callback_data: ApproveCb,
    session: AsyncSession,
    clock: Clock,
    areas: Areas,
    rules: Rules,
    i18n: I18n,
) -> None:
    approve, volunteer_id = callback_data.action == "approve", callback_data.volunteer_id
    decided = await decide_volunteer(
        session,
        coordinator_id=query.from_user.id,
        volunteer_id=volunteer_id,
        approve=approve,
        now=clock.now(),
    )
    if decided in DECIDED_ALERTS:
        await query.answer(DECIDED_ALERTS[decided](), show_alert=True)
        return
    user = await session.get(User, volunteer_id)
    payload = {
        "volunteer_id": volunteer_id,
        "name": user.first_name if user else "",
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


LOTSE_ANSWERS = {
    LotseOutcome.SET: lambda: _("⭐ {who} is now a Lotse."),
    LotseOutcome.UNSET: lambda: _("{who} is no longer a Lotse."),
    LotseOutcome.UNCHANGED: lambda: _("Nothing to change for {who}."),
    LotseOutcome.NOT_FOUND: lambda: _("This volunteer does not exist."),
}


@router.message(Command("lotse", "unlotse"))
async def cmd_lotse(message: Message, command: CommandObject, session: AsyncSession) -> None:
    volunteer = await volunteer_named(message, command.args, command.command, session)
    if volunteer is None:
        return
    outcome = await set_lotse(
        session, volunteer_id=volunteer.user_id, is_lotse=command.command == "lotse"
    )
    user = await session.get(User, volunteer.user_id)
    who = mention(volunteer.user_id, user.first_name if user else "")
    await message.answer(LOTSE_ANSWERS[outcome]().format(who=who))


@router.message(Command("volunteer"))
async def cmd_volunteer(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
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


@router.callback_query(LotseCb.filter())
async def on_lotse(
    query: CallbackQuery,
    callback_data: LotseCb,
    session: AsyncSession,
    clock: Clock,
    areas: Areas,
    i18n: I18n,
) -> None:
    volunteer_id = callback_data.volunteer_id
    outcome = await set_lotse(
        session, volunteer_id=volunteer_id, is_lotse=callback_data.action == "set"
    )
    card = await volunteer_card(session, volunteer_id, now=clock.now())
    if outcome is LotseOutcome.NOT_FOUND or card is None:
        await query.answer(LOTSE_ANSWERS[LotseOutcome.NOT_FOUND](), show_alert=True)
        return
    if outcome is not LotseOutcome.UNCHANGED and isinstance(query.message, Message):
        text = volunteer_text(card, areas, i18n.current_locale)
        await query.message.edit_text(text, reply_markup=volunteer_keyboard(card))
    await query.answer(LOTSE_ANSWERS[outcome]().format(who=name_label(card.user.first_name)))
