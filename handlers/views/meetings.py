"""Text of meeting reminders, skipped dates and the evening-before reminders of dated requests,
registered with the outbox's renderers (handlers/views/notices.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import RemindersAction, RemindersCb, RsvpAnswerCb, RsvpCb
from handlers.keyboards import button, markup
from handlers.views.document import Document, Rendered, Shown
from handlers.views.notices import Reader, renders
from handlers.views.requests import mention, request_summary
from handlers.views.time import clock_label, day_label
from matching.invitation import invitation
from matching.meetings import epoch_minutes
from matching.status import RsvpAnswer
from matching.text import isolate
from services.outbox import MeetingReminder, MeetingSkipped, RequestReminder, TaskReminder

MEETING_FILE = "meeting.ics"
MAX_CAPTION = 1024  # Telegram's limit for a caption (of the text after parsing: HTML is longer)


def reminders_button(meeting_id: int, *, muted: bool) -> InlineKeyboardButton:
    """Turns this meeting's reminders off, or (when they are off) on again."""
    if muted:
        on = RemindersCb(action=RemindersAction.ON, meeting_id=meeting_id)
        return button("🔔 " + _("Reminders for this meeting again"), on)
    off = RemindersCb(action=RemindersAction.OFF, meeting_id=meeting_id)
    return button("🔕 " + _("No reminders for this meeting"), off)


def rsvp_keyboard(
    meeting_id: int, occurrence: datetime, *, muted: bool = False
) -> InlineKeyboardMarkup:
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
            ],
            [reminders_button(meeting_id, muted=muted)],
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
def _reminder(p: MeetingReminder, r: Reader) -> Shown:
    """The first reminder of an occurrence comes as a calendar file, the text its caption."""
    text, keyboard = meeting_text(p, r.locale, r.tz), rsvp_keyboard(p.meeting_id, p.occurrence)
    if not p.invitation or len(text) > MAX_CAPTION:  # a long place: the reminder as a message
        return text, keyboard
    return Document(MEETING_FILE, invitation_file(p), caption=text, keyboard=keyboard)


@lru_cache(maxsize=64)
def invitation_file(p: MeetingReminder) -> bytes:
    """The .ics file; stamped with the reminder's own moment, so rendering stays pure (and
    the same for all its readers: made once, not once for each of them)."""
    return invitation(
        uid=f"meeting-{p.meeting_id}@lotse",
        title=p.title,
        start_local=p.occurrence.astimezone(ZoneInfo(p.tz)).replace(tzinfo=None),
        duration_minutes=p.duration_minutes,
        tz=p.tz,
        weekly=p.weekly,
        skipped=p.skipped,
        place=p.place,
        now_utc=p.occurrence - timedelta(minutes=p.offset_minutes),
    )


@renders(MeetingSkipped)
def _skipped(p: MeetingSkipped, r: Reader) -> Rendered:
    day = isolate(day_label(p.occurrence.astimezone(r.tz).date(), r.locale))
    return _("The meeting <b>{title}</b> on {day} does not take place.").format(
        title=isolate(escape(p.title)), day=day
    ), None


@renders(TaskReminder)
def _task(p: TaskReminder, r: Reader) -> Rendered:
    text = _("⏰ Reminder: tomorrow ({day}) you help with request {ref}. Contact: {seeker}").format(
        day=isolate(day_label(p.day, r.locale)),
        ref=isolate(p.request.ref),
        seeker=mention(p.seeker_id, p.seeker_name),
    )
    return f"{text}\n\n{request_summary(r.areas, p.request.to_json(), r.locale)}", None


@renders(RequestReminder)
def _request(p: RequestReminder, r: Reader) -> Rendered:
    return _("⏰ Reminder: tomorrow ({day}) {volunteer} helps you with request {ref}.").format(
        day=isolate(day_label(p.day, r.locale)),
        volunteer=mention(p.volunteer_id, p.volunteer_name),
        ref=isolate(p.ref),
    ), None


def next_heading(count: int) -> str:
    if not count:
        return _("There are no meetings for you at the moment.")
    return _("📅 <b>Your next meetings</b>")


def upcoming_text(
    p: MeetingReminder, locale: str, tz: ZoneInfo, answer: RsvpAnswer | None, *, muted: bool
) -> str:
    """A meeting in /next: like its reminder, and whether its reminders are off."""
    text = meeting_text(p, locale, tz, answer)
    if muted:
        text += "\n" + _("🔕 You get no reminders for this meeting.")
    return text


def all_reminders_text(*, on: bool) -> str:
    if on:
        return _("🔔 You get reminders of meetings again.")
    return _("🔕 You get no more reminders of meetings. /meetings_on turns them on again.")
