"""A volunteer answers an offer, and later marks it done or releases it."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from db.models import HelpRequest
from handlers.callbacks import OfferAction, OfferCb, TaskAction, TaskCb
from handlers.keyboards import button, markup
from handlers.views.labels import label
from handlers.views.notices import task_keyboard
from handlers.views.requests import taken_text
from matching.areas import Areas
from services.answers import Answer, accept_offer, decline_offer, mark_done, release_request
from services.clock import Clock
from services.request_queries import tasks_of
from services.rules import Rules
from services.session import Session
from services.users import first_name

# After these the offer's message keeps no buttons: the request is gone for this volunteer.
OVER = (Answer.TAKEN, Answer.NOT_OPEN, Answer.CANCELLED, Answer.CLOSED)


async def _taken(session: Session, request: HelpRequest, areas: Areas, locale: str) -> str:
    seeker = await first_name(session, request.seeker_id)
    return taken_text(request, seeker, areas, locale)


async def _edit(
    query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=keyboard)


async def on_accept(
    query: CallbackQuery,
    callback_data: OfferCb,
    session: Session,
    clock: Clock,
    areas: Areas,
    i18n: I18n,
) -> None:
    answer, request = await accept_offer(
        session, offer_id=callback_data.offer_id, volunteer_id=query.from_user.id, now=clock.now()
    )
    if answer is Answer.ACCEPTED and request is not None:
        text = await _taken(session, request, areas, i18n.current_locale)
        await _edit(query, text, task_keyboard(request.id))
        await query.answer()
        return
    if answer is Answer.ALREADY_YOURS:  # a double tap: the first tap's answer shows it already
        await query.answer(label(answer))
        return
    if answer in OVER:
        await _edit(query, label(answer))
    await query.answer(label(answer), show_alert=True)


async def on_decline(
    query: CallbackQuery, callback_data: OfferCb, session: Session, clock: Clock, rules: Rules
) -> None:
    answer, _request = await decline_offer(
        session,
        offer_id=callback_data.offer_id,
        volunteer_id=query.from_user.id,
        rules=rules,
        now=clock.now(),
    )
    if answer is Answer.DECLINED:
        await _edit(query, _("Thank you for telling us. We will ask someone else."))
        await query.answer()
        return
    await query.answer(label(answer), show_alert=True)


async def on_done(
    query: CallbackQuery, callback_data: TaskCb, session: Session, clock: Clock
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
    await query.answer(label(answer), show_alert=True)


def release_keyboard(request_id: int) -> InlineKeyboardMarkup:
    sure = TaskCb(action=TaskAction.RELEASE_SURE, request_id=request_id)
    keep = TaskCb(action=TaskAction.KEEP, request_id=request_id)
    return markup([[button(_("Yes, I can't go"), sure)], [button("« " + _("Back"), keep)]])


async def on_release(query: CallbackQuery, callback_data: TaskCb) -> None:
    if isinstance(query.message, Message):
        keyboard = release_keyboard(callback_data.request_id)
        await query.message.edit_reply_markup(reply_markup=keyboard)
    await query.answer(_("We will then look for someone else and tell the person who asked."))


async def on_keep(query: CallbackQuery, callback_data: TaskCb) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=task_keyboard(callback_data.request_id))
    await query.answer()


async def on_release_sure(
    query: CallbackQuery, callback_data: TaskCb, session: Session, clock: Clock, rules: Rules
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
    await query.answer(label(answer), show_alert=True)


async def cmd_mytasks(message: Message, session: Session, areas: Areas, i18n: I18n) -> None:
    assert message.from_user is not None
    tasks = await tasks_of(session, volunteer_id=message.from_user.id)
    if not tasks:
        await message.answer(_("You have no requests at the moment."))
        return
    for request in tasks:
        text = await _taken(session, request, areas, i18n.current_locale)
        await message.answer(text, reply_markup=task_keyboard(request.id))


def router() -> Router:
    r = Router(name="volunteer.offers")
    on = r.callback_query.register
    on(on_accept, OfferCb.filter(F.action == OfferAction.ACCEPT))
    on(on_decline, OfferCb.filter(F.action == OfferAction.DECLINE))
    on(on_done, TaskCb.filter(F.action == TaskAction.DONE))
    on(on_release, TaskCb.filter(F.action == TaskAction.RELEASE))
    on(on_keep, TaskCb.filter(F.action == TaskAction.KEEP))
    on(on_release_sure, TaskCb.filter(F.action == TaskAction.RELEASE_SURE))
    r.message.register(cmd_mytasks, Command("mytasks"))
    return r
