"""/rsvp: who said yes, who said no and who has not answered for a meeting's date; after the
meeting, one message of ✓/✗ buttons, one per volunteer, to mark who came (edited in place)."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from db.meeting_models import MeetingRow
from handlers.callbacks import RsvpView, RsvpViewCb
from handlers.views import meeting_cards as cards
from matching.meetings import Meeting, from_epoch_minutes, occurrences
from services.clock import Clock
from services.meeting_queries import Member, all_meetings, attendance_of, load_meeting, rsvp_summary
from services.meetings import set_attendance
from services.rules import Rules
from services.session import Session

Shown = tuple[str, InlineKeyboardMarkup | None]
WEEKS = timedelta(days=15)  # how far to look for the date before or after a shown one


def named(
    meetings: list[tuple[MeetingRow, Meeting]], word: str
) -> tuple[MeetingRow, Meeting] | None:
    """A meeting by its number (#3 or 3) or by (a part of) its title."""
    key = word.strip().removeprefix("#")
    for row, rule in meetings:
        if key.isdecimal() and int(key) == row.id:
            return row, rule
    return next(((r, m) for r, m in meetings if key.casefold() in r.title.casefold()), None)


def default_start(rule: Meeting, now: datetime) -> datetime | None:
    """The date under way or next; else the last one."""
    begun = now - timedelta(minutes=rule.duration_minutes)
    ahead = occurrences(rule, begun, now + timedelta(days=3 * 366))
    if ahead:
        return ahead[0]
    before = occurrences(rule, now - timedelta(days=3 * 366), now)
    return before[-1] if before else None


async def view(
    session: Session,
    row: MeetingRow,
    rule: Meeting,
    start: datetime,
    now: datetime,
    locale: str,
    rules: Rules,
) -> Shown:
    summary = await rsvp_summary(session, meeting_id=row.id, occurrence=start)
    earlier = occurrences(rule, max(start - WEEKS, row.created_at), start)
    later = occurrences(rule, start + timedelta(minutes=1), start + WEEKS)
    keyboard = cards.rsvp_keyboard(
        row.id, start, earlier[-1] if earlier else None, later[0] if later else None, start <= now
    )
    return cards.rsvp_text(row, start, summary, locale, rules.tz), keyboard


async def cmd_rsvp(
    message: Message,
    command: CommandObject,
    session: Session,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
) -> None:
    meetings = await all_meetings(session)
    if not meetings:
        await message.answer(cards.no_meetings())
        return
    if not command.args:
        text, keyboard = cards.pick_meeting([row for row, _rule in meetings])
        await message.answer(text, reply_markup=keyboard)
        return
    found = named(meetings, command.args)
    if found is None:
        await message.answer(cards.no_such_meeting())
        return
    text, markup = await _shown(session, found, 0, clock, rules, i18n)
    await message.answer(text, reply_markup=markup)


async def _shown(
    session: Session,
    loaded: tuple[MeetingRow, Meeting],
    at: int,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
) -> Shown:
    row, rule = loaded
    now = clock.now()
    start = from_epoch_minutes(at) if at else default_start(rule, now)
    if start is None:
        return cards.card(row, None, i18n.current_locale, rules.tz), None
    return await view(session, row, rule, start, now, i18n.current_locale, rules)


async def on_show(
    query: CallbackQuery,
    callback_data: RsvpViewCb,
    session: Session,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
) -> None:
    loaded = await load_meeting(session, callback_data.meeting_id)
    if loaded is None:
        await query.answer(cards.gone(), show_alert=True)
        return
    text, keyboard = await _shown(session, loaded, callback_data.at, clock, rules, i18n)
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=keyboard)
    await query.answer()


async def _members(session: Session, row: MeetingRow, start: datetime) -> list[Member]:
    summary = await rsvp_summary(session, meeting_id=row.id, occurrence=start)
    return sorted(summary.yes + summary.no + summary.unanswered, key=lambda m: m.volunteer_id)


async def _attendance(session: Session, row: MeetingRow, start: datetime) -> InlineKeyboardMarkup:
    members = await _members(session, row, start)
    came = await attendance_of(session, meeting_id=row.id, occurrence=start)
    return cards.attendance_keyboard(row.id, start, members, came)


async def on_mark(
    query: CallbackQuery, callback_data: RsvpViewCb, session: Session, rules: Rules, i18n: I18n
) -> None:
    loaded = await load_meeting(session, callback_data.meeting_id)
    if loaded is None or not callback_data.at:
        await query.answer(cards.gone(), show_alert=True)
        return
    start = from_epoch_minutes(callback_data.at)
    keyboard = await _attendance(session, loaded[0], start)
    if isinstance(query.message, Message):
        text = cards.attendance_text(loaded[0], start, i18n.current_locale, rules.tz)
        await query.message.edit_text(text, reply_markup=keyboard)
    await query.answer()


async def on_toggle(
    query: CallbackQuery, callback_data: RsvpViewCb, session: Session, clock: Clock
) -> None:
    loaded = await load_meeting(session, callback_data.meeting_id)
    if loaded is None or not callback_data.at or not callback_data.volunteer_id:
        await query.answer(cards.gone(), show_alert=True)
        return
    start = from_epoch_minutes(callback_data.at)
    meeting_id, volunteer_id = loaded[0].id, callback_data.volunteer_id
    if volunteer_id not in {m.volunteer_id for m in await _members(session, loaded[0], start)}:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    came = await attendance_of(session, meeting_id=meeting_id, occurrence=start)
    await set_attendance(
        session,
        meeting_id=meeting_id,
        occurrence=start,
        volunteer_id=volunteer_id,
        attended=not came.get(volunteer_id, False),
        actor_id=query.from_user.id,
        now=clock.now(),
    )
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(
            reply_markup=await _attendance(session, loaded[0], start)
        )
    await query.answer()


def router() -> Router:
    r = Router(name="coordinator.rsvp")
    r.message.register(cmd_rsvp, Command("rsvp"))
    on = r.callback_query.register
    on(on_show, RsvpViewCb.filter(F.action == RsvpView.SHOW))
    on(on_mark, RsvpViewCb.filter(F.action == RsvpView.MARK))
    on(on_toggle, RsvpViewCb.filter(F.action == RsvpView.TOGGLE))
    return r
