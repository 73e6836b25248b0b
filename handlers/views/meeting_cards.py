"""The coordinators' meetings in words and buttons: /meetings' cards with their buttons, /rsvp's
answers, and the attendance buttons after a meeting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from db.meeting_models import MeetingRow
from handlers.callbacks import MeetAdmin, MeetAdminCb, RsvpView, RsvpViewCb
from handlers.keyboards import button, grid, markup
from handlers.views.labels import name_label
from handlers.views.meeting_console import (
    audience_label,
    duration_label,
    occurrence_label,
    when_label,
)
from handlers.views.requests import mention
from matching.meetings import epoch_minutes
from matching.text import isolate
from services.meeting_queries import Member, RsvpSummary


def title_of(row: MeetingRow) -> str:
    return isolate(escape(row.title))


def card(row: MeetingRow, next_start: datetime | None, locale: str, tz: ZoneInfo) -> str:
    """One meeting of /meetings: what, when, where, for whom, and its next date."""
    lines = [
        f"<b>{title_of(row)}</b> (#{row.id})",
        when_label(row.kind, row.weekday, row.date, row.local_time, locale)
        + ", "
        + duration_label(row.duration_minutes),
    ]
    if row.place:
        lines.append(_("Where: {place}").format(place=isolate(escape(row.place))))
    lines.append(_("For: {audience}").format(audience=audience_label(row.audience)))
    if row.paused:
        lines.append("⏸ " + _("Paused: no reminders."))
    elif next_start is not None:
        lines.append(_("Next time: {when}").format(when=occurrence_label(next_start, locale, tz)))
    else:
        lines.append(_("No more dates."))
    return "\n".join(lines)


def card_keyboard(row: MeetingRow) -> InlineKeyboardMarkup:
    def cb(action: MeetAdmin) -> MeetAdminCb:
        return MeetAdminCb(action=action, meeting_id=row.id)

    pause = (
        button("▶️ " + _("Resume"), cb(MeetAdmin.RESUME))
        if row.paused
        else button("⏸ " + _("Pause"), cb(MeetAdmin.PAUSE))
    )
    return markup(
        [
            [button("✏️ " + _("Edit"), cb(MeetAdmin.EDIT)), pause],
            [
                button("📆 " + _("Skip a date"), cb(MeetAdmin.SKIPS)),
                button("🗑 " + _("Delete"), cb(MeetAdmin.DELETE)),
            ],
        ]
    )


def skip_keyboard(
    meeting_id: int, starts: Sequence[datetime], locale: str, tz: ZoneInfo
) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                occurrence_label(start, locale, tz),
                MeetAdminCb(action=MeetAdmin.SKIP, meeting_id=meeting_id, at=epoch_minutes(start)),
            )
        ]
        for start in starts
    ]
    back = button("« " + _("Back"), MeetAdminCb(action=MeetAdmin.BACK, meeting_id=meeting_id))
    return markup([*rows, [back]])


def delete_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    def cb(action: MeetAdmin) -> MeetAdminCb:
        return MeetAdminCb(action=action, meeting_id=meeting_id)

    return markup(
        [
            [
                button("🗑 " + _("Yes, delete"), cb(MeetAdmin.DELETE_SURE)),
                button("« " + _("Back"), cb(MeetAdmin.BACK)),
            ]
        ]
    )


def no_meetings() -> str:
    return _("There are no meetings yet. /meeting_new sets one up.")


def skip_question() -> str:
    return _("Which date does not take place? We tell the volunteers once.")


def delete_question(row: MeetingRow) -> str:
    return _("Delete the meeting <b>{title}</b>? The volunteers get no more reminders.").format(
        title=title_of(row)
    )


def deleted(title: str) -> str:
    return _("The meeting <b>{title}</b> is deleted.").format(title=isolate(escape(title)))


def gone() -> str:
    return _("This meeting no longer exists.")


def _names(members: Sequence[Member]) -> str:
    return ", ".join(mention(m.volunteer_id, m.name) for m in members) or "—"


def rsvp_text(
    row: MeetingRow, start: datetime, summary: RsvpSummary, locale: str, tz: ZoneInfo
) -> str:
    return "\n".join(
        [
            f"<b>{title_of(row)}</b>, {occurrence_label(start, locale, tz)}",
            "✅ " + _("Yes ({n}): {names}").format(n=len(summary.yes), names=_names(summary.yes)),
            "✖ " + _("No ({n}): {names}").format(n=len(summary.no), names=_names(summary.no)),
            "❔ "
            + _("No answer ({n}): {names}").format(
                n=len(summary.unanswered), names=_names(summary.unanswered)
            ),
        ]
    )


def rsvp_keyboard(
    meeting_id: int, start: datetime, earlier: datetime | None, later: datetime | None, past: bool
) -> InlineKeyboardMarkup:
    def cb(action: RsvpView, at: datetime) -> RsvpViewCb:
        return RsvpViewCb(action=action, meeting_id=meeting_id, at=epoch_minutes(at))

    row = []
    if earlier is not None:
        row.append(button("« " + _("Earlier date"), cb(RsvpView.SHOW, earlier)))
    if later is not None:
        row.append(button(_("Later date") + " »", cb(RsvpView.SHOW, later)))
    mark = [button("✍️ " + _("Mark attendance"), cb(RsvpView.MARK, start))] if past else []
    return markup([mark, row])


def pick_meeting(rows: Sequence[MeetingRow]) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        button(row.title[:60], RsvpViewCb(action=RsvpView.SHOW, meeting_id=row.id)) for row in rows
    ]
    return _("Which meeting?"), markup(grid(buttons, 1))


def no_such_meeting() -> str:
    return _("There is no such meeting. /meetings shows all meetings.")


def attendance_text(row: MeetingRow, start: datetime, locale: str, tz: ZoneInfo) -> str:
    return _("Who came to <b>{title}</b> on {when}? Press a name to change it.").format(
        title=title_of(row), when=occurrence_label(start, locale, tz)
    )


def attendance_keyboard(
    meeting_id: int, start: datetime, members: Sequence[Member], came: dict[int, bool]
) -> InlineKeyboardMarkup:
    at = epoch_minutes(start)
    buttons = [
        button(
            ("✓ " if came.get(m.volunteer_id) else "✗ ")
            + name_label(m.name[:40], str(m.volunteer_id)),
            RsvpViewCb(
                action=RsvpView.TOGGLE, meeting_id=meeting_id, at=at, volunteer_id=m.volunteer_id
            ),
        )
        for m in members
    ]
    back = button("« " + _("Back"), RsvpViewCb(action=RsvpView.SHOW, meeting_id=meeting_id, at=at))
    return markup([*grid(buttons, 2), [back]])
