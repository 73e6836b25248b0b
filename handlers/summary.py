"""The request as every reader sees it: topic, district, time, and the description as written."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from aiogram.utils.i18n import gettext as _

from handlers.labels import (
    district_label,
    language_label,
    name_label,
    skill_label,
    when_label,
)
from matching.areas import Areas


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
        _("<b>Description</b> ({language}):").format(language=language_label(r["language"])),
        f"<blockquote>{escape(r['description'])}</blockquote>",
    ]
    if r.get("urgent"):
        lines.insert(0, "⏰ " + _("<b>Urgent: needed today</b>"))
    return "\n".join(lines)
