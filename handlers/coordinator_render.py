"""The coordinators' escalation notice: the request, its history so far, and what to do."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_time

from handlers.callbacks import EscCb
from handlers.keyboards import button, markup
from handlers.summary import request_summary
from matching.areas import Areas
from matching.text import isolate


def event_label(kind: str, data: dict[str, Any]) -> str:
    labels = {
        "created": lambda: _("request created"),
        "offered": lambda: ngettext(
            "offered to {n} person (tier {tier})",
            "offered to {n} people (tier {tier})",
            len(data.get("volunteers", [])),
        ).format(n=len(data.get("volunteers", [])), tier=data.get("tier", 0)),
        "no_candidates": lambda: _("no further candidates"),
        "accepted": lambda: _("accepted"),
        "declined": lambda: _("declined"),
        "withdrawn": lambda: _("open offers withdrawn"),
        "released": lambda: _("released by the volunteer"),
        "done": lambda: _("done"),
        "cancelled": lambda: _("cancelled by the seeker"),
        "escalated": lambda: _("escalated to tier {tier}").format(tier=data.get("tier", 0)),
        "coordinators_notified": lambda: _("coordinators notified"),
        "extended": lambda: _("extended: Lotsen asked again"),
        "assigned": lambda: _("assigned by a coordinator"),
        "closed": lambda: _("closed by a coordinator"),
    }
    return labels.get(kind, lambda: kind)()


def history_lines(history: list[dict[str, Any]], locale: str, tz: ZoneInfo) -> list[str]:
    lines = []
    for item in history:
        at = datetime.fromisoformat(item["at"]).astimezone(tz)
        when = format_time(at, format="short", locale=locale)
        lines.append(f"• {isolate(when)} {escape(event_label(item['kind'], item['data']))}")
    return lines


def escalation_keyboard(request_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [button("👤 " + _("Assign"), EscCb(action="assign", request_id=request_id))],
            [
                button("⏳ " + _("Extend"), EscCb(action="extend", request_id=request_id)),
                button("✖ " + _("Close"), EscCb(action="close", request_id=request_id)),
            ],
        ]
    )


def render_escalation(
    areas: Areas, p: dict[str, Any], locale: str, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    head = _("🚨 <b>Request {ref} needs a coordinator</b> (notice {n})").format(
        ref=isolate(p["ref"]), n=p.get("notice", 1)
    )
    body = request_summary(areas, p, locale)
    history = "\n".join(history_lines(p.get("history", []), locale, tz))
    title = _("History")
    text = f"{head}\n\n{body}\n\n<b>{escape(title)}</b>\n{history}"
    return text, escalation_keyboard(p["request_id"])
