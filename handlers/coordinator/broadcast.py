"""/broadcast: a coordinator picks volunteers with the filters (volunteer_filters.py), writes a
message, sees it as the volunteers will with the number of recipients, and sends it. The
progress message then counts as the outbox sends (services/broadcast_progress.py); its Stop
button cancels what has not gone out. /cancel or ✖ Cancel (handlers/common/start.py) leave the
form at any step."""

from __future__ import annotations

import uuid
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers.console_callbacks import (
    BroadcastAction,
    BroadcastCb,
    FilterPurpose,
    FilterView,
    VolunteerFilterCb,
)
from handlers.coordinator.volunteer_filters import send_filters
from handlers.states import NOT_A_COMMAND, BroadcastForm
from handlers.views import broadcast as views
from matching.areas import Areas
from matching.status import Standing
from services.broadcasts import Cancel, Draft, Start, cancel_broadcast, start_broadcast
from services.clock import Clock
from services.session import Session
from services.volunteer_queries import VolunteerFilter, count_volunteers


async def cmd_broadcast(
    message: Message, state: FSMContext, session: Session, clock: Clock, areas: Areas
) -> None:
    await state.clear()
    await send_filters(message, FilterPurpose.BROADCAST, session, clock, areas)


async def on_go(query: CallbackQuery, callback_data: VolunteerFilterCb, state: FSMContext) -> None:
    """The filters are chosen: the form asks for the message."""
    f = callback_data.chosen()
    if f.standing is Standing.BANNED:
        await query.answer(views.not_to_banned(), show_alert=True)
        return
    await state.set_state(BroadcastForm.text)
    await state.set_data({"key": uuid.uuid4().hex, "filter": _stored(f)})
    if isinstance(query.message, Message):
        await query.message.edit_text(views.ask_text(), reply_markup=views.cancel_keyboard())
    await query.answer()


def _stored(f: VolunteerFilter) -> dict[str, str | None]:
    return {
        "skill": f.skill,
        "district": f.district,
        "language": f.language,
        "standing": f.standing,
    }


def _filter(data: dict[str, Any]) -> VolunteerFilter:
    stored = data["filter"]
    return VolunteerFilter(
        skill=stored["skill"],
        district=stored["district"],
        language=stored["language"],
        standing=Standing(stored["standing"]),
    )


async def got_text(message: Message, state: FSMContext, session: Session, clock: Clock) -> None:
    text = (message.text or "").strip()
    if not text:
        await message.answer(views.text_only())
        return
    if views.too_long(text):
        await message.answer(views.text_too_long(len(text)))
        return
    data = await state.get_data()
    count = await count_volunteers(session, _filter(data), now=clock.now())
    await state.update_data(text=text)
    await state.set_state(BroadcastForm.confirm)
    shown, keyboard = views.preview(text, count)
    await message.answer(shown, reply_markup=keyboard)


async def got_other(message: Message) -> None:
    """A photo, a sticker, a file: only text can be broadcast."""
    await message.answer(views.text_only())


async def on_send(
    query: CallbackQuery, state: FSMContext, raw_state: str | None, session: Session, clock: Clock
) -> None:
    if raw_state != BroadcastForm.confirm.state:  # a second tap, after the first sent it
        await query.answer(views.not_in_form(), show_alert=True)
        return
    data = await state.get_data()
    draft = Draft(key=data["key"], text=data["text"], filter=_filter(data))
    chat_id = query.message.chat.id if query.message else query.from_user.id
    started = await start_broadcast(
        session, draft=draft, created_by=query.from_user.id, chat_id=chat_id, now=clock.now()
    )
    await state.clear()
    if started.outcome is Start.ALREADY:
        await query.answer(views.already_sent(), show_alert=True)
        return
    shown = views.started(draft.text, started.total)
    if started.outcome is Start.NOBODY:
        shown = views.nobody()
    if isinstance(query.message, Message):
        await query.message.edit_text(shown, reply_markup=None)
    await query.answer()


async def on_stop(
    query: CallbackQuery, callback_data: BroadcastCb, session: Session, clock: Clock
) -> None:
    outcome = await cancel_broadcast(
        session,
        broadcast_id=callback_data.broadcast_id,
        actor_id=query.from_user.id,
        now=clock.now(),
    )
    if outcome is Cancel.NOT_RUNNING:
        await query.answer(views.already_ended(), show_alert=True)
        return
    if isinstance(query.message, Message):
        await query.message.edit_text(views.stopping(), reply_markup=None)
    await query.answer()


def router() -> Router:
    r = Router(name="coordinator.broadcast")
    go = VolunteerFilterCb.filter(
        (F.view == FilterView.GO) & (F.purpose == FilterPurpose.BROADCAST)
    )
    r.message.register(cmd_broadcast, Command("broadcast"))
    r.callback_query.register(on_go, go)
    writing = StateFilter(BroadcastForm.text, BroadcastForm.confirm)  # a new text replaces it
    r.message.register(got_text, writing, F.text, NOT_A_COMMAND)
    r.message.register(got_other, writing, ~F.text)
    r.callback_query.register(on_send, BroadcastCb.filter(F.action == BroadcastAction.SEND))
    r.callback_query.register(on_stop, BroadcastCb.filter(F.action == BroadcastAction.STOP))
    return r
