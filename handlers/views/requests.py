"""The request as every reader sees it: topic, district, time, and the description as written;
the seeker's and the volunteer's view of their requests, and the coordinators' notice."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from db.models import HelpRequest
from handlers.callbacks import EscAction, EscCb, MyReqAction, MyReqCb
from handlers.keyboards import button, markup
from handlers.views.direction import quoted
from handlers.views.labels import (
    district_label,
    event_label,
    language_label,
    name_label,
    skill_label,
    when_label,
)
from handlers.views.time import clock_label
from matching.areas import Areas
from matching.status import RequestStatus
from matching.text import isolate
from services.offering import request_payload


def mention(user_id: int, name: str | None) -> str:
    """A link to the person, showing their isolated name (their id when they have none)."""
    shown = escape(name_label(name, fallback=str(int(user_id))))
    return f'<a href="tg://user?id={int(user_id)}">{shown}</a>'


def request_summary(areas: Areas, r: dict[str, Any], locale: str) -> str:
    """Topic, district, time and the description (as written, tagged with its language)."""
    day = date.fromisoformat(r["when_date"]) if r.get("when_date") else None
    lines = [
        _("<b>Topic:</b> {topic}").format(topic=escape(skill_label(areas, r["skill"]))),
        _("<b>District:</b> {district}").format(
            district=escape(district_label(areas, r["district"]))
        ),
        _("<b>When:</b> {when}").format(when=escape(when_label(r["when_kind"], day, locale))),
        _("<b>Description</b> ({language}):").format(
            language=escape(language_label(r["language"], locale))
        ),
        f"<blockquote>{escape(quoted(r['description']))}</blockquote>",
    ]
    if r.get("urgent"):
        lines.insert(0, "⏰ " + _("<b>Urgent: needed today</b>"))
    return "\n".join(lines)


def describe(request: HelpRequest, areas: Areas, locale: str) -> str:
    """One of a seeker's open requests (/myrequests)."""
    status = (
        _("A volunteer has taken it.")
        if request.status is RequestStatus.ASSIGNED
        else _("We are looking for a volunteer.")
    )
    head = _("<b>Request {ref}</b>: {status}").format(ref=isolate(request.ref), status=status)
    return f"{head}\n{request_summary(areas, request_payload(request), locale)}"


def cancel_button(request_id: int) -> InlineKeyboardMarkup:
    data = MyReqCb(action=MyReqAction.CANCEL, request_id=request_id)
    return markup([[button(_("Cancel this request"), data)]])


def cancel_confirm_keyboard(request_id: int) -> InlineKeyboardMarkup:
    sure = MyReqCb(action=MyReqAction.CANCEL_SURE, request_id=request_id)
    keep = MyReqCb(action=MyReqAction.KEEP, request_id=request_id)
    return markup([[button(_("Yes, cancel it"), sure)], [button("« " + _("No, keep it"), keep)]])


def taken_text(request: HelpRequest, seeker_name: str, areas: Areas, locale: str) -> str:
    """What the volunteer who took a request reads (on accepting, and in /mytasks)."""
    text = _(
        "🤝 Thank you! Request {ref} is yours. Please write to {seeker} to arrange the details."
    ).format(ref=isolate(request.ref), seeker=mention(request.seeker_id, seeker_name))
    return f"{text}\n\n{request_summary(areas, request_payload(request), locale)}"


def history_lines(history: list[dict[str, Any]], locale: str, tz: ZoneInfo) -> list[str]:
    lines = []
    for item in history:
        when = clock_label(datetime.fromisoformat(item["at"]), locale, tz)
        lines.append(f"• {when} {escape(event_label(item['kind'], item['data']))}")
    return lines


def escalation_keyboard(request_id: int) -> InlineKeyboardMarkup:
    def esc(action: EscAction) -> EscCb:
        return EscCb(action=action, request_id=request_id)

    return markup(
        [
            [button("👤 " + _("Assign"), esc(EscAction.ASSIGN))],
            [
                button("⏳ " + _("Extend"), esc(EscAction.EXTEND)),
                button("✖ " + _("Close"), esc(EscAction.CLOSE)),
            ],
        ]
    )


def render_escalation(
    areas: Areas, p: dict[str, Any], locale: str, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """The coordinators' escalation notice: the request, its history so far, and what to do."""
    head = _("🚨 <b>Request {ref} needs a coordinator</b> (notice {n})").format(
        ref=isolate(p["ref"]), n=p.get("notice", 1)
    )
    body = request_summary(areas, p, locale)
    history = "\n".join(history_lines(p.get("history", []), locale, tz))
    title = _("History")
    text = f"{head}\n\n{body}\n\n<b>{escape(title)}</b>\n{history}"
    return text, escalation_keyboard(p["request_id"])
