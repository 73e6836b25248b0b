"""A volunteer answers an offer, and later marks it done or releases it."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, User
from handlers.callbacks import OfferCb, TaskCb
from handlers.keyboards import button, markup
from handlers.summary import mention, request_summary
from handlers.views.notices import task_keyboard
from matching.areas import Areas
from matching.status import RequestStatus
from matching.text import isolate
from services.answers import Answer, accept_offer, decline_offer, mark_done, release_request
from services.clock import Clock
from services.offering import request_payload
from services.rules import Rules

router = Router(name="offers")
# Conversations happen in private chats; in a group (the coordinators') the bot stays quiet.
router.message.filter(F.chat.type == ChatType.PRIVATE)


async def taken_text(session: AsyncSession, request: HelpRequest, areas: Areas, locale: str) -> str:
    seeker = await session.get(User, request.seeker_id)
    text = _(
        "🤝 Thank you! Request {ref} is yours. Please write to {seeker} to arrange the details."
    ).format(
        ref=isolate(request.ref),
        seeker=mention(request.seeker_id, seeker.first_name if seeker else ""),
    )
    return f"{text}\n\n{request_summary(areas, request_payload(request), locale)}"


ANSWERS = {
    Answer.TAKEN: lambda: _("Another volunteer has already taken this request. Thank you!"),
    Answer.NOT_OPEN: lambda: _("This request is no longer open."),
    Answer.NOT_FOUND: lambda: _("This button is not valid for you."),
    Answer.ALREADY_YOURS: lambda: _("This request is already yours. /mytasks shows it."),
    Answer.ALREADY_ANSWERED: lambda: _("You have already declined this request."),
    Answer.ALREADY_RELEASED: lambda: _("You have already given this request back."),
    Answer.ALREADY_DONE: lambda: _("You have already marked this request as done."),
    Answer.OFFER_ENDED: lambda: _(
        "This offer has ended. If we ask you again, you will get a new message."
    ),
    Answer.CANCELLED: lambda: _("The person who asked has cancelled this request."),
    Answer.CLOSED: lambda: _("The agency has closed this request."),
    Answer.OWN_REQUEST: lambda: _("You cannot take your own request."),
}
# After these the offer's message keeps no buttons: the request is gone for this volunteer.
OVER = (Answer.TAKEN, Answer.NOT_OPEN, Answer.CANCELLED, Answer.CLOSED)


async def _edit(query: CallbackQuery, text: str, **kwargs: object) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, **kwargs)  # type: ignore[arg-type]


@router.callback_query(OfferCb.filter(F.action == "accept"))
async def on_accept(
    query: CallbackQuery,
    callback_data: OfferCb,
    session: AsyncSession,
    clock: Clock,
    areas: Areas,
    i18n: I18n,
) -> None:
    answer, request = await accept_offer(
        session, offer_id=callback_data.offer_id, volunteer_id=query.from_user.id, now=clock.now()
    )
    if answer is Answer.ACCEPTED and request is not None:
        text = await taken_text(session, request, areas, i18n.current_locale)
        await _edit(query, text, reply_markup=task_keyboard(request.id))
        await query.answer()
        return
    if answer is Answer.ALREADY_YOURS:  # a double tap: the first tap's answer shows it already
        await query.answer(ANSWERS[answer]())
        return
    if answer in OVER:
        await _edit(query, ANSWERS[answer]())
    await query.answer(ANSWERS[answer](), show_alert=True)


@router.callback_query(OfferCb.filter(F.action == "decline"))
async def on_decline(
    query: CallbackQuery, callback_data: OfferCb, session: AsyncSession, clock: Clock, rules: Rules
) -> None:
    answer, _request = await decline_offer(
        session,
        offer_id=callback_data.offer_id,
        volunteer_id=query.from_user.id,
        rules=rules,
        now=clock.now(),
    )
    if answer is Answer.DECLINED:
        await _edit(query, _("Thank you for letting us know. We will ask someone else."))
        await query.answer()
        return
    await query.answer(ANSWERS[answer](), show_alert=True)


@router.callback_query(TaskCb.filter(F.action == "done"))
async def on_done(
    query: CallbackQuery, callback_data: TaskCb, session: AsyncSession, clock: Clock
) -> None:
    answer = await mark_done(
        session,
        request_id=callback_data.request_id,
        volunteer_id=query.from_user.id,
        now=clock.now(),
    )
    if answer is Answer.DONE:
        await _edit(query, _("✔ Marked as done. Thank you so much for your help!"))
        await query.answer()
        return
    await query.answer(ANSWERS[answer](), show_alert=True)


@router.callback_query(TaskCb.filter(F.action == "release"))
async def on_release(query: CallbackQuery, callback_data: TaskCb) -> None:
    keyboard = markup(
        [
            [
                button(
                    _("Yes, I can't go"),
                    TaskCb(action="release_sure", request_id=callback_data.request_id),
                )
            ],
            [button("« " + _("Back"), TaskCb(action="keep", request_id=callback_data.request_id))],
        ]
    )
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=keyboard)
    await query.answer(_("We will then look for someone else and tell the person who asked."))


@router.callback_query(TaskCb.filter(F.action == "keep"))
async def on_keep(query: CallbackQuery, callback_data: TaskCb) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=task_keyboard(callback_data.request_id))
    await query.answer()


@router.callback_query(TaskCb.filter(F.action == "release_sure"))
async def on_release_sure(
    query: CallbackQuery, callback_data: TaskCb, session: AsyncSession, clock: Clock, rules: Rules
) -> None:
    answer = await release_request(
        session,
        request_id=callback_data.request_id,
        volunteer_id=query.from_user.id,
        rules=rules,
        now=clock.now(),
    )
    if answer is Answer.RELEASED:
        await _edit(query, _("Thank you for telling us in time. We are looking for someone else."))
        await query.answer()
        return
    await query.answer(ANSWERS[answer](), show_alert=True)


@router.message(Command("mytasks"))
async def cmd_mytasks(message: Message, session: AsyncSession, areas: Areas, i18n: I18n) -> None:
    assert message.from_user is not None
    tasks = list(
        await session.scalars(
            select(HelpRequest).where(
                HelpRequest.assignee_id == message.from_user.id,
                HelpRequest.status == RequestStatus.ASSIGNED,
            )
        )
    )
    if not tasks:
        await message.answer(_("You have no requests at the moment."))
        return
    for request in tasks:
        text = await taken_text(session, request, areas, i18n.current_locale)
        await message.answer(text, reply_markup=task_keyboard(request.id))
