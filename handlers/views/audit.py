"""/audit: the latest admin actions, one line each, with paging buttons."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime

from handlers.callbacks import AuditPageCb
from handlers.views.labels import label
from handlers.views.requests import mention
from matching.text import isolate
from services.audit import PAGE, Line, Page


def audit_text(page: Page, locale: str, tz: ZoneInfo) -> str:
    if not page.lines:
        return _("Nothing has been done yet.")
    head = _("What coordinators did, newest first:")
    return "\n".join([head, *(_line(line, locale, tz) for line in page.lines)])


def _line(line: Line, locale: str, tz: ZoneInfo) -> str:
    at = isolate(format_datetime(line.at, format="short", tzinfo=tz, locale=locale))
    who = mention(line.actor_id, line.actor_name)
    parts = [at, who, label(line.action)]
    if line.target_user_id is not None:
        parts.append(mention(line.target_user_id, line.target_name))
    if line.request_ref is not None:
        parts.append(isolate(line.request_ref))
    return " · ".join(parts)


def audit_keyboard(page: Page) -> InlineKeyboardMarkup | None:
    row: list[InlineKeyboardButton] = []
    if page.has_newer:
        row.append(_button(_("« Newer"), max(0, page.offset - PAGE)))
    if page.has_older:
        row.append(_button(_("Older »"), page.offset + len(page.lines)))
    return InlineKeyboardMarkup(inline_keyboard=[row]) if row else None


def _button(text: str, offset: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=AuditPageCb(offset=offset).pack())
