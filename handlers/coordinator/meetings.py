"""/meetings: every meeting with its next date, and its buttons: Edit (the dialogue, from its
summary), Pause or Resume, Skip a date (one notice to the audience, through the service) and
Delete (after a second press)."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from db.meeting_models import MeetingRow
from handlers.callbacks import MeetAdmin, MeetAdminCb
from handlers.coordinator import meeting_steps as steps
from handlers.coordinator.meeting_form import asking, show
from handlers.states import MeetingForm
from handlers.views import meeting_cards as cards
from matching.areas import Areas
from matching.meetings import Meeting, from_epoch_minutes, local_day, occurrences
from services.clock import Clock
from services.meeting_queries import all_meetings, load_meeting
from services.meetings import (
    Done,
    MeetingDraft,
    delete_meeting,
    set_paused,
    skip_date,
)
from services.rules import Rules
from services.session import Session

SKIP_CHOICES = 4


def upcoming(rule: Meeting, now: datetime, count: int = 1) -> list[datetime]:
    return occurrences(rule, now, now + timedelta(days=3 * 366))[:count]


async def cmd_meetings(
    message: Message, session: Session, clock: Clock, rules: Rules, i18n: I18n
) -> None:
    meetings = await all_meetings(session)
    if not meetings:
        await message.answer(cards.no_meetings())
        return
    for row, rule in meetings:
        start = next(iter(upcoming(rule, clock.now())), None)
        text = cards.card(row, start, i18n.current_locale, rules.tz)
        await message.answer(text, reply_markup=cards.card_keyboard(row))


async def _redraw(
    query: CallbackQuery, session: Session, meeting_id: int, clock: Clock, rules: Rules, i18n: I18n
) -> None:
    loaded = await load_meeting(session, meeting_id)
    if not isinstance(query.message, Message):
        return
    if loaded is None:
        await query.message.edit_text(cards.gone(), reply_markup=None)
        return
    row, rule = loaded
    start = next(iter(upcoming(rule, clock.now())), None)
    text = cards.card(row, start, i18n.current_locale, rules.tz)
    await query.message.edit_text(text, reply_markup=cards.card_keyboard(row))


async def on_pause(
    query: CallbackQuery,
    callback_data: MeetAdminCb,
    session: Session,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
) -> None:
    paused = callback_data.action is MeetAdmin.PAUSE
    await set_paused(
        session,
        meeting_id=callback_data.meeting_id,
        paused=paused,
        actor_id=query.from_user.id,
        now=clock.now(),
    )
    await _redraw(query, session, callback_data.meeting_id, clock, rules, i18n)
    await query.answer(_("Paused.") if paused else _("Resumed."))


async def on_back(
    query: CallbackQuery,
    callback_data: MeetAdminCb,
    session: Session,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
) -> None:
    await _redraw(query, session, callback_data.meeting_id, clock, rules, i18n)
    await query.answer()


async def _loaded(
    query: CallbackQuery, session: Session, meeting_id: int
) -> tuple[MeetingRow, Meeting] | None:
    loaded = await load_meeting(session, meeting_id)
    if loaded is None:
        await query.answer(cards.gone(), show_alert=True)
    return loaded


async def on_skips(
    query: CallbackQuery,
    callback_data: MeetAdminCb,
    session: Session,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
) -> None:
    loaded = await _loaded(query, session, callback_data.meeting_id)
    if loaded is None or not isinstance(query.message, Message):
        return
    starts = upcoming(loaded[1], clock.now(), SKIP_CHOICES)
    keyboard = cards.skip_keyboard(loaded[0].id, starts, i18n.current_locale, rules.tz)
    await query.message.edit_text(cards.skip_question(), reply_markup=keyboard)
    await query.answer()


async def on_skip(
    query: CallbackQuery,
    callback_data: MeetAdminCb,
    session: Session,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
) -> None:
    loaded = await _loaded(query, session, callback_data.meeting_id)
    if loaded is None:
        return
    day = local_day(loaded[1], from_epoch_minutes(callback_data.at))
    done = await skip_date(
        session, meeting_id=loaded[0].id, day=day, actor_id=query.from_user.id, now=clock.now()
    )
    answers = {
        Done.SAVED: _("Done. We tell the volunteers that this date does not take place."),
        Done.ALREADY: _("This date was already skipped."),
        Done.NO_SUCH_DATE: _("This meeting does not take place then."),
        Done.UNKNOWN: cards.gone(),
    }
    await _redraw(query, session, loaded[0].id, clock, rules, i18n)
    await query.answer(answers[done], show_alert=done is not Done.SAVED)


async def on_delete(query: CallbackQuery, callback_data: MeetAdminCb, session: Session) -> None:
    loaded = await _loaded(query, session, callback_data.meeting_id)
    if loaded is None or not isinstance(query.message, Message):
        return
    keyboard = cards.delete_keyboard(loaded[0].id)
    await query.message.edit_text(cards.delete_question(loaded[0]), reply_markup=keyboard)
    await query.answer()


async def on_delete_sure(
    query: CallbackQuery, callback_data: MeetAdminCb, session: Session, clock: Clock
) -> None:
    loaded = await _loaded(query, session, callback_data.meeting_id)
    if loaded is None:
        return
    await delete_meeting(
        session, meeting_id=loaded[0].id, actor_id=query.from_user.id, now=clock.now()
    )
    if isinstance(query.message, Message):
        await query.message.edit_text(cards.deleted(loaded[0].title), reply_markup=None)
    await query.answer()


async def on_edit(
    query: CallbackQuery,
    callback_data: MeetAdminCb,
    state: FSMContext,
    session: Session,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
) -> None:
    loaded = await _loaded(query, session, callback_data.meeting_id)
    if loaded is None:
        return
    row = loaded[0]
    draft = MeetingDraft.of(row)
    await state.set_data({**steps.data_of(draft), "edit_id": row.id})
    await show(query, state, MeetingForm.confirm, asking(areas, rules, clock, i18n))


def router() -> Router:
    r = Router(name="coordinator.meetings")
    r.message.register(cmd_meetings, Command("meetings"))
    on = r.callback_query.register
    on(on_edit, MeetAdminCb.filter(F.action == MeetAdmin.EDIT))
    on(on_pause, MeetAdminCb.filter(F.action.in_({MeetAdmin.PAUSE, MeetAdmin.RESUME})))
    on(on_skips, MeetAdminCb.filter(F.action == MeetAdmin.SKIPS))
    on(on_skip, MeetAdminCb.filter(F.action == MeetAdmin.SKIP))
    on(on_delete, MeetAdminCb.filter(F.action == MeetAdmin.DELETE))
    on(on_delete_sure, MeetAdminCb.filter(F.action == MeetAdmin.DELETE_SURE))
    on(on_back, MeetAdminCb.filter(F.action == MeetAdmin.BACK))
    return r
