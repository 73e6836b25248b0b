"""Text of meeting reminders, skipped dates and the evening-before reminders of dated requests,
registered with the outbox's renderers (handlers/views/notices.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import RsvpAnswerCb, RsvpCb
from handlers.keyboards import button, markup
from handlers.views.notices import Reader, Rendered, renders
from handlers.views.requests import mention
from handlers.views.time import clock_label, day_label
from matching.meetings import epoch_minutes
from matching.status import RsvpAnswer
from matching.text import isolate
from services.outbox import MeetingReminder, MeetingSkipped, RequestReminder, TaskReminder


def rsvp_keyboard(meeting_id: int, occurrence: datetime) -> InlineKeyboardMarkup:
    at = epoch_minutes(occurrence)
    return markup(
        [
            [
                button(
                    "✅ " + _("I'll come"),
                    RsvpCb(answer=RsvpAnswerCb.YES, meeting_id=meeting_id, at=at),
                ),
                button(
                    "✖ " + _("I can't come"),
                    RsvpCb(answer=RsvpAnswerCb.NO, meeting_id=meeting_id, at=at),
                ),
            ]
        ]
    )


def meeting_text(
    p: MeetingReminder, locale: str, tz: ZoneInfo, answer: RsvpAnswer | None = None
) -> str:
    """A meeting reminder: what, when (the reader's day and time), where, and their answer."""
    day = isolate(day_label(p.occurrence.astimezone(tz).date(), locale))
    end = p.occurrence + timedelta(minutes=p.duration_minutes)
    lines = [
        _("📅 Reminder: <b>{title}</b>").format(title=isolate(escape(p.title))),
        _("When: {day}, {start} to {end}").format(
            day=day, start=clock_label(p.occurrence, locale, tz), end=clock_label(end, locale, tz)
        ),
    ]
    if p.place:
        lines.append(_("Where: {place}").format(place=isolate(escape(p.place))))
    if answer is RsvpAnswer.YES:
        lines.append(_("✅ You said you will come. Thank you!"))
    elif answer is RsvpAnswer.NO:
        lines.append(_("✖ You said you cannot come. You can change your answer."))
    else:
        lines.append(_("Will you come?"))
    return "\n".join(lines)


@renders(MeetingReminder)
def _reminder(p: MeetingReminder, r: Reader) -> Rendered:
    return meeting_text(p, r.locale, r.tz), rsvp_keyboard(p.meeting_id, p.occurrence)


@renders(MeetingSkipped)
def _skipped(p: MeetingSkipped, r: Reader) -> Rendered:
    day = isolate(day_label(p.occurrence.astimezone(r.tz).date(), r.locale))
    return _("The meeting <b>{title}</b> on {day} does not take place.").format(
        title=isolate(escape(p.title)), day=day
    ), None


@renders(TaskReminder)
def _task(p: TaskReminder, r: Reader) -> Rendered:
    return _("⏰ Reminder: tomorrow ({day}) you help with request {ref}. Contact: {seeker}").format(
        day=isolate(day_label(p.day, r.locale)),
        ref=isolate(p.ref),
        seeker=mention(p.seeker_id, p.seeker_name),
    ), None


@renders(RequestReminder)
def _request(p: RequestReminder, r: Reader) -> Rendered:
    return _("⏰ Reminder: tomorrow ({day}) {volunteer} helps you with request {ref}.").format(
        day=isolate(day_label(p.day, r.locale)),
        volunteer=mention(p.volunteer_id, p.volunteer_name),
        ref=isolate(p.ref),
    ), None
