"""A seeker's open requests, and cancelling one."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import MyReqAction, MyReqCb
from handlers.views.labels import label
from handlers.views.requests import cancel_button, cancel_confirm_keyboard, describe
from matching.areas import Areas
from services.clock import Clock
from services.request_queries import open_requests_of
from services.requests import CancelOutcome, cancel_request
from services.session import Session

# The seeker's answer replaces the request's message; any other outcome is a short alert.
SETTLED = (CancelOutcome.CANCELLED, CancelOutcome.TAKEN)


async def cmd_myrequests(message: Message, session: Session, areas: Areas, i18n: I18n) -> None:
    assert message.from_user is not None
    requests = await open_requests_of(session, seeker_id=message.from_user.id)
    if not requests:
        await message.answer(_("You have no open requests. Send /start to ask for help."))
        return
    for request in requests:
        await message.answer(
            describe(request, areas, i18n.current_locale),
            reply_markup=cancel_button(request.id),
        )


async def on_cancel_request(query: CallbackQuery, callback_data: MyReqCb) -> None:
    if isinstance(query.message, Message):
        keyboard = cancel_confirm_keyboard(callback_data.request_id)
        await query.message.edit_reply_markup(reply_markup=keyboard)
    await query.answer()


async def on_keep_request(query: CallbackQuery, callback_data: MyReqCb) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=cancel_button(callback_data.request_id))
    await query.answer()


async def on_cancel_sure(
    query: CallbackQuery, callback_data: MyReqCb, session: Session, clock: Clock
) -> None:
    outcome = await cancel_request(
        session, request_id=callback_data.request_id, seeker_id=query.from_user.id, now=clock.now()
    )
    if outcome in SETTLED:
        if isinstance(query.message, Message):
            await query.message.edit_text(label(outcome))
        await query.answer()
        return
    await query.answer(label(outcome), show_alert=True)


def router() -> Router:
    r = Router(name="seeker.myrequests")
    r.message.register(cmd_myrequests, Command("myrequests"))
    on = r.callback_query.register
    on(on_cancel_request, MyReqCb.filter(F.action == MyReqAction.CANCEL))
    on(on_keep_request, MyReqCb.filter(F.action == MyReqAction.KEEP))
    on(on_cancel_sure, MyReqCb.filter(F.action == MyReqAction.CANCEL_SURE))
    return r
