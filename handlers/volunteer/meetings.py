"""A volunteer answers a meeting reminder: "I'll come" or "I can't come", and may change it."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import RsvpCb
from handlers.views.meetings import meeting_text, rsvp_keyboard
from matching.meetings import from_epoch_minutes
from matching.status import RsvpAnswer
from services.clock import Clock
from services.meeting_queries import load_meeting
from services.meetings import Done, answer
from services.outbox import MeetingReminder
from services.rules import Rules
from services.session import Session


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
    meeting_id = callback_data.meeting_id
    done = await answer(
        session,
        meeting_id=meeting_id,
        occurrence=occurrence,
        volunteer_id=query.from_user.id,
        rsvp=rsvp,
        now=clock.now(),
    )
    loaded = await load_meeting(session, meeting_id)
    if done is not Done.SAVED or loaded is None:
        await query.answer(_("This meeting does not take place then."), show_alert=True)
        return
    row = loaded[0]
    reminder = MeetingReminder(
        meeting_id=row.id,
        occurrence=occurrence,
        title=row.title,
        place=row.place,
        duration_minutes=row.duration_minutes,
        offset_minutes=0,
    )
    if isinstance(query.message, Message):
        text = meeting_text(reminder, i18n.current_locale, rules.tz, rsvp)
        await query.message.edit_text(text, reply_markup=rsvp_keyboard(row.id, occurrence))
    await query.answer(_("Thank you. We saved your answer."))


def router() -> Router:
    r = Router(name="meetings")
    r.callback_query.register(on_rsvp, RsvpCb.filter())
    return r
