"""/meeting_new: a coordinator sets up a meeting step by step (buttons where they can be, « Back
and ✖ Cancel at every step), checks the summary and saves it. An edit from /meetings starts at
the summary of the stored meeting and saves over it.

The scheduler's jobs need no news of a saved meeting: the catch-up tick sends whatever is due of
every meeting at the poll rate, and bot/app.py rebuilds the per-meeting jobs when the stored
meetings change (bot/scheduler.py, MeetingWatch) — after the commit, outside this transaction."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import TOGGLE_DONE, MeetField, MeetFormCb, NavAction, NavCb
from handlers.coordinator import meeting_steps as steps
from handlers.states import NOT_A_COMMAND, MeetingForm
from handlers.views import meeting_console as views
from matching.areas import Areas
from matching.meetings import DEFAULT_OFFSETS, DST_HOUR, Refusal
from matching.status import Audience, MeetingKind
from services.clock import Clock
from services.meetings import Done, MeetingDraft, Saved, create_meeting, edit_meeting
from services.rules import Rules
from services.session import Session

Target = Message | CallbackQuery


def asking(areas: Areas, rules: Rules, clock: Clock, i18n: I18n) -> steps.Asking:
    today = clock.now().astimezone(rules.tz).date()
    return steps.Asking(areas, i18n.current_locale, today, rules.tz.key)


async def show(
    target: Target, state: FSMContext, step: State, a: steps.Asking, note: str = ""
) -> None:
    """Move to `step` and ask its question: in place after a button, else as a new message."""
    await state.set_state(step)
    text, keyboard = steps.question(step, await state.get_data(), a)
    text = f"{note}\n\n{text}" if note else text
    if isinstance(target, CallbackQuery) and isinstance(target.message, Message):
        await target.message.edit_text(text, reply_markup=keyboard)
        await target.answer()
    elif isinstance(target, Message):
        await target.answer(text, reply_markup=keyboard)


async def cmd_new(
    message: Message, state: FSMContext, areas: Areas, rules: Rules, clock: Clock, i18n: I18n
) -> None:
    await state.set_data({})
    await show(message, state, MeetingForm.title, asking(areas, rules, clock, i18n))


def _typed(step: State, text: str, a: steps.Asking, data: dict[str, Any]) -> dict[str, Any] | str:
    """The data a typed answer gives, or what to tell the coordinator instead."""
    if step == MeetingForm.title:
        title = " ".join(text.split())
        return {"title": title} if 0 < len(title) <= 200 else views.bad_title()
    if step == MeetingForm.day and data.get("kind") == MeetingKind.ONCE.value:
        day = steps.as_date(text, a.today)
        return {"on": day.isoformat()} if day else views.bad_date()
    if step == MeetingForm.time:
        start = steps.as_time(text)
        return {"start": start.strftime("%H:%M")} if start else views.bad_time()
    if step == MeetingForm.place:
        place = text.strip()
        if place.casefold() in {"skip", "-", _("Skip").casefold()}:
            return {"place": None}
        return {"place": place[:500]} if place else views.use_buttons()
    return views.use_buttons()


async def on_text(
    message: Message,
    state: FSMContext,
    raw_state: str | None,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
) -> None:
    step = steps.state_named(raw_state)
    if step is None:
        return
    a = asking(areas, rules, clock, i18n)
    got = _typed(step, message.text or "", a, await state.get_data())
    if isinstance(got, str):
        await message.answer(got)
        return
    await _answered(message, state, step, got, a)


async def _answered(
    target: Target, state: FSMContext, step: State, got: dict[str, Any], a: steps.Asking
) -> None:
    await state.update_data(got)
    if step == MeetingForm.time and time.fromisoformat(got["start"]).hour == DST_HOUR:
        await show(target, state, MeetingForm.time, a, views.refusal_text(Refusal.DST_HOUR))
        return
    await show(target, state, steps.next_after(step, await state.get_data()), a)


def _picked(pick: MeetFormCb, data: dict[str, Any], a: steps.Asking) -> dict[str, Any] | None:
    """The data a pressed button gives; None for a value this step does not offer."""
    value, field = pick.value, pick.field
    if field is MeetField.KIND and value in set(MeetingKind):
        return {"kind": value}
    if field is MeetField.WEEKDAY and value in {str(n) for n in range(7)}:
        return {"weekday": int(value)}
    if field is MeetField.DATE:
        days = {(a.today + timedelta(days=n)).isoformat() for n in range(14)}
        return {"on": value} if value in days else None
    if field is MeetField.TIME and value.isdecimal() and len(value) == 4:
        start = steps.as_time(f"{value[:2]}:{value[2:]}")
        return {"start": start.strftime("%H:%M")} if start else None
    if field is MeetField.DURATION and value in {str(m) for m in views.DURATIONS}:
        return {"duration": int(value)}
    if field is MeetField.PLACE and value == views.SAVE:
        return {"place": None}
    if field is MeetField.AUDIENCE and value in set(Audience):
        return {"audience": value, "values": []}
    return None


def _toggled(pick: MeetFormCb, data: dict[str, Any], a: steps.Asking) -> list[Any] | None:
    if pick.field is MeetField.VALUE:
        offered = dict(views.value_options(Audience(data.get("audience", "all")), a.areas))
        chosen = list(data.get("values", []))
        value: Any = pick.value
    else:
        offered = {str(m): "" for m in views.OFFSETS}
        chosen = list(data.get("offsets", DEFAULT_OFFSETS))
        value = int(pick.value) if pick.value.isdecimal() else None
    if pick.value not in offered:
        return None
    return [v for v in chosen if v != value] if value in chosen else [*chosen, value]


async def on_pick(
    query: CallbackQuery,
    callback_data: MeetFormCb,
    state: FSMContext,
    raw_state: str | None,
    session: Session,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
) -> None:
    step = steps.state_named(raw_state)
    if step is None or steps.FIELD_STATE[callback_data.field] != step:
        await query.answer(_("This button belongs to an earlier step."), show_alert=True)
        return
    a = asking(areas, rules, clock, i18n)
    data = await state.get_data()
    if callback_data.field is MeetField.CONFIRM:
        await _confirm(query, state, callback_data.value, session, clock, a)
    elif callback_data.field in (MeetField.VALUE, MeetField.OFFSET):
        await _toggle(query, state, step, callback_data, data, a)
    elif (got := _picked(callback_data, data, a)) is not None:
        await _answered(query, state, step, got, a)
    else:
        await query.answer(_("This choice is not available."), show_alert=True)


async def _toggle(
    query: CallbackQuery,
    state: FSMContext,
    step: State,
    pick: MeetFormCb,
    data: dict[str, Any],
    a: steps.Asking,
) -> None:
    key = "values" if pick.field is MeetField.VALUE else "offsets"
    if pick.value == TOGGLE_DONE:
        if not data.get(key, [1]):
            await query.answer(_("Please choose at least one."), show_alert=True)
            return
        await show(query, state, steps.next_after(step, data), a)
        return
    chosen = _toggled(pick, data, a)
    if chosen is None:
        await query.answer(_("This choice is not available."), show_alert=True)
        return
    await state.update_data({key: chosen})
    await show(query, state, step, a)


async def _confirm(
    query: CallbackQuery,
    state: FSMContext,
    value: str,
    session: Session,
    clock: Clock,
    a: steps.Asking,
) -> None:
    if value in steps.CHANGE:
        await state.update_data(review=True)
        await show(query, state, steps.CHANGE[value], a)
        return
    data = await state.get_data()
    draft = steps.draft_of(data, a.tz)
    if data.get("edit_id") is not None:
        result = await edit_meeting(
            session,
            meeting_id=data["edit_id"],
            draft=draft,
            actor_id=query.from_user.id,
            now=clock.now(),
        )
    else:
        result = await create_meeting(
            session, draft=draft, created_by=query.from_user.id, now=clock.now()
        )
    await _settle(query, state, result, draft, clock, a)


async def _settle(
    query: CallbackQuery,
    state: FSMContext,
    result: Saved,
    draft: MeetingDraft,
    clock: Clock,
    a: steps.Asking,
) -> None:
    if result.refusal is not None:
        await state.update_data(review=True)
        note = views.refusal_text(result.refusal)
        await show(query, state, steps.REFUSAL_STEP[result.refusal], a, note)
        return
    if result.done is not Done.SAVED:
        await state.clear()
        await query.answer(_("This meeting no longer exists."), show_alert=True)
        return
    await state.clear()
    start = steps.next_start(draft, clock.now())
    label = views.occurrence_label(start, a.locale, ZoneInfo(a.tz)) if start else None
    if isinstance(query.message, Message):
        await query.message.edit_text(views.saved(draft, label), reply_markup=None)
    await query.answer()


async def on_back(
    query: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
) -> None:
    step = steps.state_named(raw_state)
    earlier = steps.previous(step, await state.get_data()) if step else None
    if earlier is None:
        await query.answer()
        return
    await show(query, state, earlier, asking(areas, rules, clock, i18n))


async def on_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.edit_text(views.cancelled(), reply_markup=None)
    await query.answer()


def router() -> Router:
    r = Router(name="coordinator.meeting_form")
    in_form = StateFilter(MeetingForm)
    r.message.register(cmd_new, Command("meeting_new"))
    r.message.register(on_text, in_form, F.text, NOT_A_COMMAND)
    r.callback_query.register(on_pick, MeetFormCb.filter())
    r.callback_query.register(on_back, in_form, NavCb.filter(F.action == NavAction.BACK))
    r.callback_query.register(on_cancel, in_form, NavCb.filter(F.action == NavAction.CANCEL))
    return r
