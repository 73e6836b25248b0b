"""An approved volunteer's profile card, pauses and quiet hours."""

from __future__ import annotations

from datetime import timedelta

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from db.models import Volunteer
from handlers.callbacks import PauseCb, ProfileAction, ProfileCb, QuietCb
from handlers.views.volunteers import (
    PAUSE_DAYS,
    QUIET_PRESETS,
    card_keyboard,
    not_registered,
    pause_keyboard,
    pause_question,
    paused_text,
    profile_card,
    quiet_keyboard,
    quiet_label,
    quiet_question,
)
from matching.areas import Areas
from services.clock import Clock
from services.rules import Rules
from services.session import Session
from services.volunteers import get_profile, get_volunteer, pause, resume, set_quiet_hours

NO_QUIET = (-1, -1)


async def _volunteer_or_explain(message: Message, session: Session) -> Volunteer | None:
    assert message.from_user is not None
    v = await get_volunteer(session, message.from_user.id)
    if v is None:
        await message.answer(not_registered())
    return v


async def cmd_profile(
    message: Message, session: Session, areas: Areas, clock: Clock, rules: Rules, i18n: I18n
) -> None:
    v = await _volunteer_or_explain(message, session)
    if v is None:
        return
    today = clock.now().astimezone(rules.tz).date()
    profile = await get_profile(session, v.user_id)
    text = profile_card(v, profile, areas, today, i18n.current_locale)
    await message.answer(text, reply_markup=card_keyboard(v))


async def cmd_pause(message: Message, session: Session) -> None:
    if await _volunteer_or_explain(message, session) is None:
        return
    await message.answer(pause_question(), reply_markup=pause_keyboard())


async def on_pause_menu(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(pause_question(), reply_markup=pause_keyboard())
    await query.answer()


async def on_pause(
    query: CallbackQuery, callback_data: PauseCb, session: Session, clock: Clock, rules: Rules
) -> None:
    days = callback_data.days
    if days not in (0, *PAUSE_DAYS):
        await query.answer(_("This choice is not available."), show_alert=True)
        return
    today = clock.now().astimezone(rules.tz).date()
    until = today + timedelta(days=days) if days else None
    if not await pause(session, user_id=query.from_user.id, until=until):
        await query.answer(_("You are not registered as a volunteer yet."), show_alert=True)
        return
    if isinstance(query.message, Message):
        await query.message.edit_text(paused_text(days))
    await query.answer()


async def cmd_resume(message: Message, session: Session) -> None:
    assert message.from_user is not None
    if await resume(session, user_id=message.from_user.id):
        await message.answer(_("Welcome back! You will get requests again."))
    else:
        await message.answer(not_registered())


async def on_resume(query: CallbackQuery, session: Session) -> None:
    await resume(session, user_id=query.from_user.id)
    await query.answer(_("Welcome back! You will get requests again."), show_alert=True)


async def cmd_quiet(message: Message, session: Session) -> None:
    if await _volunteer_or_explain(message, session) is None:
        return
    await message.answer(quiet_question(), reply_markup=quiet_keyboard())


async def on_quiet_menu(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(quiet_question(), reply_markup=quiet_keyboard())
    await query.answer()


async def on_quiet(query: CallbackQuery, callback_data: QuietCb, session: Session) -> None:
    window = (callback_data.start, callback_data.end)
    if window != NO_QUIET and window not in QUIET_PRESETS:
        await query.answer(_("This choice is not available."), show_alert=True)
        return
    start, end = (None, None) if window == NO_QUIET else window
    if not await set_quiet_hours(session, user_id=query.from_user.id, start=start, end=end):
        await query.answer(_("You are not registered as a volunteer yet."), show_alert=True)
        return
    text = (
        _("No quiet hours.")
        if start is None or end is None
        else _("Quiet hours: {quiet}").format(quiet=quiet_label(start, end))
    )
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
    await query.answer()


def router() -> Router:
    r = Router(name="volunteer.profile")
    for command, handler in (
        ("profile", cmd_profile),
        ("pause", cmd_pause),
        ("resume", cmd_resume),
        ("quiet", cmd_quiet),
    ):
        r.message.register(handler, Command(command))
    on = r.callback_query.register
    on(on_pause_menu, ProfileCb.filter(F.action == ProfileAction.PAUSE))
    on(on_pause, PauseCb.filter())
    on(on_resume, ProfileCb.filter(F.action == ProfileAction.RESUME))
    on(on_quiet_menu, ProfileCb.filter(F.action == ProfileAction.QUIET))
    on(on_quiet, QuietCb.filter())
    return r
