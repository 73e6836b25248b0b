"""An approved volunteer's profile card, pauses and quiet hours."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Volunteer
from handlers.callbacks import MenuCb, PauseCb, ProfileCb, QuietCb
from handlers.keyboards import button, markup
from handlers.labels import district_label, format_day, language_label, skill_label
from matching.areas import Areas
from matching.status import VolunteerStatus
from matching.text import isolate
from services.clock import Clock
from services.rules import Rules
from services.volunteers import get_profile, get_volunteer, pause, resume, set_quiet_hours

router = Router(name="volunteer_profile")
QUIET_PRESETS = ((22 * 60, 7 * 60), (21 * 60, 8 * 60), (20 * 60, 9 * 60))
PAUSE_DAYS = (7, 14, 30)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def status_line(v: Volunteer, today: date, locale: str) -> str:
    if v.status is VolunteerStatus.PENDING:
        return _("Waiting for a coordinator's approval.")
    if v.status is not VolunteerStatus.APPROVED:
        return _("Not active. Please contact the agency.")
    if v.paused and v.paused_until is None:
        return _("Paused until you send /resume.")
    if v.paused and v.paused_until is not None and v.paused_until >= today:
        return _("Paused until {day}.").format(day=format_day(v.paused_until, locale))
    return _("Active: you get requests that match your profile.")


async def card(session: AsyncSession, v: Volunteer, areas: Areas, today: date, locale: str) -> str:
    p = await get_profile(session, v.user_id)
    quiet = (
        isolate(f"{hhmm(v.quiet_start)}–{hhmm(v.quiet_end)}")
        if v.quiet_start is not None and v.quiet_end is not None
        else _("none")
    )
    lines = [
        _("<b>Your volunteer profile</b>"),
        status_line(v, today, locale),
        _("Skills: {skills}").format(
            skills=", ".join(skill_label(areas, s) for s in sorted(p.skills))
        ),
        _("Districts: {districts}").format(
            districts=", ".join(district_label(areas, d) for d in sorted(p.districts))
        ),
        _("Languages: {languages}").format(
            languages=", ".join(language_label(x) for x in sorted(p.languages))
        ),
        _("Quiet hours: {quiet}").format(quiet=quiet),
    ]
    if v.is_lotse:
        lines.append(_("You are a Lotse: you are also asked when nobody nearby answers."))
    return "\n".join(lines)


def card_keyboard(v: Volunteer) -> InlineKeyboardMarkup:
    pause_or_resume = (
        button("▶ " + _("Resume"), ProfileCb(action="resume"))
        if v.paused
        else button("⏸ " + _("Pause"), ProfileCb(action="pause"))
    )
    return markup(
        [
            [button("✏ " + _("Edit profile"), MenuCb(action="help"))],
            [pause_or_resume, button("🌙 " + _("Quiet hours"), ProfileCb(action="quiet"))],
        ]
    )


async def _volunteer_or_explain(
    message: Message, session: AsyncSession, user_id: int
) -> Volunteer | None:
    v = await get_volunteer(session, user_id)
    if v is None:
        await message.answer(
            _("You are not registered as a volunteer yet. Send /start and choose “I want to help”.")
        )
    return v


@router.message(Command("profile"))
async def cmd_profile(
    message: Message, session: AsyncSession, areas: Areas, clock: Clock, rules: Rules, i18n: I18n
) -> None:
    assert message.from_user is not None
    v = await _volunteer_or_explain(message, session, message.from_user.id)
    if v is None:
        return
    today = clock.now().astimezone(rules.tz).date()
    text = await card(session, v, areas, today, i18n.current_locale)
    await message.answer(text, reply_markup=card_keyboard(v))


def pause_keyboard() -> InlineKeyboardMarkup:
    rows = [
        [button(ngettext("{n} day", "{n} days", n).format(n=n), PauseCb(days=n))]
        for n in PAUSE_DAYS
    ]
    rows.append([button(_("Until I resume"), PauseCb(days=0))])
    return markup(rows)


@router.message(Command("pause"))
async def cmd_pause(message: Message, session: AsyncSession) -> None:
    assert message.from_user is not None
    if await _volunteer_or_explain(message, session, message.from_user.id) is None:
        return
    await message.answer(
        _("How long would you like a break? You will get no requests meanwhile."),
        reply_markup=pause_keyboard(),
    )


@router.callback_query(ProfileCb.filter(F.action == "pause"))
async def on_pause_menu(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(
            _("How long would you like a break? You will get no requests meanwhile."),
            reply_markup=pause_keyboard(),
        )
    await query.answer()


@router.callback_query(PauseCb.filter())
async def on_pause(
    query: CallbackQuery, callback_data: PauseCb, session: AsyncSession, clock: Clock, rules: Rules
) -> None:
    if callback_data.days not in (0, *PAUSE_DAYS):
        await query.answer(_("This choice is not available."), show_alert=True)
        return
    today = clock.now().astimezone(rules.tz).date()
    until = today + timedelta(days=callback_data.days) if callback_data.days else None
    if not await pause(session, user_id=query.from_user.id, until=until):
        await query.answer(_("You are not registered as a volunteer yet."), show_alert=True)
        return
    text = (
        _("Paused until you send /resume.")
        if until is None
        else ngettext(
            "Paused for {n} day. /resume ends the break early.",
            "Paused for {n} days. /resume ends the break early.",
            callback_data.days,
        ).format(n=callback_data.days)
    )
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
    await query.answer()


@router.message(Command("resume"))
async def cmd_resume(message: Message, session: AsyncSession) -> None:
    assert message.from_user is not None
    if await resume(session, user_id=message.from_user.id):
        await message.answer(_("Welcome back! You will get requests again."))
    else:
        await message.answer(
            _("You are not registered as a volunteer yet. Send /start and choose “I want to help”.")
        )


@router.callback_query(ProfileCb.filter(F.action == "resume"))
async def on_resume(query: CallbackQuery, session: AsyncSession) -> None:
    await resume(session, user_id=query.from_user.id)
    await query.answer(_("Welcome back! You will get requests again."), show_alert=True)


def quiet_keyboard() -> InlineKeyboardMarkup:
    rows = [[button(f"{hhmm(a)}–{hhmm(b)}", QuietCb(start=a, end=b))] for a, b in QUIET_PRESETS]
    rows.append([button(_("No quiet hours"), QuietCb(start=-1, end=-1))])
    return markup(rows)


@router.message(Command("quiet"))
async def cmd_quiet(message: Message, session: AsyncSession) -> None:
    assert message.from_user is not None
    if await _volunteer_or_explain(message, session, message.from_user.id) is None:
        return
    await message.answer(_("When should we not send you requests?"), reply_markup=quiet_keyboard())


@router.callback_query(ProfileCb.filter(F.action == "quiet"))
async def on_quiet_menu(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(
            _("When should we not send you requests?"), reply_markup=quiet_keyboard()
        )
    await query.answer()


@router.callback_query(QuietCb.filter())
async def on_quiet(query: CallbackQuery, callback_data: QuietCb, session: AsyncSession) -> None:
    window = (callback_data.start, callback_data.end)
    if window != (-1, -1) and window not in QUIET_PRESETS:
        await query.answer(_("This choice is not available."), show_alert=True)
        return
    start, end = (None, None) if window == (-1, -1) else window
    if not await set_quiet_hours(session, user_id=query.from_user.id, start=start, end=end):
        await query.answer(_("You are not registered as a volunteer yet."), show_alert=True)
        return
    text = (
        _("No quiet hours.")
        if start is None or end is None
        else _("Quiet hours: {quiet}").format(quiet=isolate(f"{hhmm(start)}–{hhmm(end)}"))
    )
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
    await query.answer()
