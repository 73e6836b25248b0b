"""A seeker's open requests, and cancelling one."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest
from handlers.callbacks import MyReqCb
from handlers.keyboards import button, markup
from handlers.summary import request_summary
from matching.areas import Areas
from matching.status import RequestStatus
from matching.text import isolate
from services.clock import Clock
from services.offering import request_payload
from services.requests import CancelOutcome, cancel_request, open_requests_of

router = Router(name="myrequests")
# Conversations happen in private chats; in a group (the coordinators') the bot stays quiet.
router.message.filter(F.chat.type == ChatType.PRIVATE)


def describe(request: HelpRequest, areas: Areas, locale: str) -> str:
    status = (
        _("A volunteer has taken it.")
        if request.status is RequestStatus.ASSIGNED
        else _("We are looking for a volunteer.")
    )
    head = _("<b>Request {ref}</b>: {status}").format(ref=isolate(request.ref), status=status)
    return f"{head}\n{request_summary(areas, request_payload(request), locale)}"


def cancel_button(request_id: int) -> InlineKeyboardMarkup:
    return markup(
        [[button(_("Cancel this request"), MyReqCb(action="cancel", request_id=request_id))]]
    )


@router.message(Command("myrequests"))
async def cmd_myrequests(message: Message, session: AsyncSession, areas: Areas, i18n: I18n) -> None:
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


@router.callback_query(MyReqCb.filter(F.action == "cancel"))
async def on_cancel_request(query: CallbackQuery, callback_data: MyReqCb) -> None:
    keyboard = markup(
        [
            [
                button(
                    _("Yes, cancel it"),
                    MyReqCb(action="cancel_sure", request_id=callback_data.request_id),
                )
            ],
            [
                button(
                    "« " + _("No, keep it"),
                    MyReqCb(action="keep", request_id=callback_data.request_id),
                )
            ],
        ]
    )
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=keyboard)
    await query.answer()


@router.callback_query(MyReqCb.filter(F.action == "keep"))
async def on_keep_request(query: CallbackQuery, callback_data: MyReqCb) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=cancel_button(callback_data.request_id))
    await query.answer()


CANCEL_ANSWERS = {
    CancelOutcome.CANCELLED: lambda: _("Your request has been cancelled."),
    CancelOutcome.TAKEN: lambda: _(
        "A volunteer has just taken your request, so it is not cancelled. You will get a "
        "message with their name. If you still want to cancel it, send /myrequests."
    ),
    CancelOutcome.DONE: lambda: _("This request is already done."),
    CancelOutcome.CLOSED: lambda: _("The agency has already closed this request."),
    CancelOutcome.ALREADY_CANCELLED: lambda: _("This request has already been cancelled."),
    CancelOutcome.NOT_FOUND: lambda: _("This button is not valid for you."),
}


@router.callback_query(MyReqCb.filter(F.action == "cancel_sure"))
async def on_cancel_sure(
    query: CallbackQuery, callback_data: MyReqCb, session: AsyncSession, clock: Clock
) -> None:
    outcome = await cancel_request(
        session, request_id=callback_data.request_id, seeker_id=query.from_user.id, now=clock.now()
    )
    if outcome in (CancelOutcome.CANCELLED, CancelOutcome.TAKEN):
        if isinstance(query.message, Message):
            await query.message.edit_text(CANCEL_ANSWERS[outcome]())
        await query.answer()
        return
    await query.answer(CANCEL_ANSWERS[outcome](), show_alert=True)
