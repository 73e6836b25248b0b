"""A volunteer and the meetings: answers to a reminder ("I'll come", "I can't come", changed at
will), /next, and reminders off or on again, of one meeting or of all."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import RemindersAction, RemindersCb, RsvpCb
from handlers.views.meetings import (
    all_reminders_text,
    meeting_text,
    next_heading,
    reminders_button,
    rsvp_keyboard,
    upcoming_text,
)
from handlers.views.volunteers import not_registered
from matching.meetings import from_epoch_minutes
from matching.status import RsvpAnswer
from services.clock import Clock
from services.meeting_next import muted_meetings, next_meetings
from services.meeting_queries import load_meeting
from services.meeting_reminders import reminder_of
from services.meetings import Done, answer, opt_in, opt_out
from services.rules import Rules
from services.session import Session
from services.volunteers import get_volunteer


async def on_rsvp(
    query: CallbackQuery,
    callback_data: RsvpCb,
    session: Session,
    clock: Clock,
    rules: Rules,
    i18n: I18n,
) -> None:
    occurrence = from_epoch_minutes(callback_data.at)
    rsvp = RsvpAnswer(callback_data.answer.value)
    meeting_id, person = callback_data.meeting_id, query.from_user.id
    done = await answer(
        session,
        meeting_id=meeting_id,
        occurrence=occurrence,
        volunteer_id=person,
        rsvp=rsvp,
        now=clock.now(),
    )
    loaded = await load_meeting(session, meeting_id)
    if done is not Done.SAVED or loaded is None:
        await query.answer(_("This meeting does not take place then."), show_alert=True)
        return
    reminder = reminder_of(*loaded, occurrence, 0)
    muted = meeting_id in await muted_meetings(session, person)
    keyboard = rsvp_keyboard(meeting_id, occurrence, muted=muted)
    text = meeting_text(reminder, i18n.current_locale, rules.tz, rsvp)
    if isinstance(query.message, Message):
        if query.message.document is not None:  # the first reminder, with the calendar file
            await query.message.edit_caption(caption=text, reply_markup=keyboard)
        else:
            await query.message.edit_text(text, reply_markup=keyboard)
    await query.answer(_("Thank you. We saved your answer."))


async def on_reminders(query: CallbackQuery, callback_data: RemindersCb, session: Session) -> None:
    """One meeting's reminders off or on again; the button turns into the other one."""
    meeting_id, person = callback_data.meeting_id, query.from_user.id
    if await load_meeting(session, meeting_id) is None:
        await query.answer(_("This meeting does not take place any more."), show_alert=True)
        return
    muted = callback_data.action is RemindersAction.OFF
    if muted:
        await opt_out(session, volunteer_id=person, meeting_id=meeting_id)
        toast = _("You will get no more reminders of this meeting.")
    else:
        await opt_in(session, volunteer_id=person, meeting_id=meeting_id)
        toast = _("You will get reminders of this meeting again.")
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        keyboard = _swap(message.reply_markup, reminders_button(meeting_id, muted=muted))
        await message.edit_reply_markup(reply_markup=keyboard)
    await query.answer(toast)


def _swap(markup: InlineKeyboardMarkup, new: InlineKeyboardButton) -> InlineKeyboardMarkup:
    """The keyboard with its reminders button replaced by `new`."""
    prefix = RemindersCb.__prefix__ + RemindersCb.__separator__
    rows = [
        [new if (b.callback_data or "").startswith(prefix) else b for b in row]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def cmd_next(
    message: Message, session: Session, clock: Clock, rules: Rules, i18n: I18n
) -> None:
    assert message.from_user is not None
    person = message.from_user.id
    if await get_volunteer(session, person) is None:
        await message.answer(not_registered())
        return
    upcoming = await next_meetings(session, volunteer_id=person, now=clock.now())
    heading = next_heading(len(upcoming))
    if None in await muted_meetings(session, person):
        heading += "\n" + all_reminders_text(on=False)
    await message.answer(heading)
    for u in upcoming:
        text = upcoming_text(u.reminder, i18n.current_locale, rules.tz, u.answer, muted=u.muted)
        keyboard = rsvp_keyboard(u.reminder.meeting_id, u.reminder.occurrence, muted=u.muted)
        await message.answer(text, reply_markup=keyboard)


async def _all_reminders(message: Message, session: Session, *, on: bool) -> None:
    assert message.from_user is not None
    person = message.from_user.id
    if await get_volunteer(session, person) is None:
        await message.answer(not_registered())
        return
    if on:
        await opt_in(session, volunteer_id=person, meeting_id=None)
    else:
        await opt_out(session, volunteer_id=person, meeting_id=None)
    await message.answer(all_reminders_text(on=on))


async def cmd_meetings_off(message: Message, session: Session) -> None:
    await _all_reminders(message, session, on=False)


async def cmd_meetings_on(message: Message, session: Session) -> None:
    await _all_reminders(message, session, on=True)


def router() -> Router:
    r = Router(name="meetings")
    r.callback_query.register(on_rsvp, RsvpCb.filter())
    r.callback_query.register(on_reminders, RemindersCb.filter())
    r.message.register(cmd_next, Command("next"))
    r.message.register(cmd_meetings_off, Command("meetings_off"))
    r.message.register(cmd_meetings_on, Command("meetings_on"))
    return r
