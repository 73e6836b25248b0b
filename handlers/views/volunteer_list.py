"""The /volunteers list: one page of the volunteers a filter picks, a short line and a button
each, paging, and the way back to the filters."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.console_callbacks import (
    CardAction,
    FilterPurpose,
    FilterView,
    VolunteerCardCb,
    VolunteerFilterCb,
)
from handlers.keyboards import button, grid
from handlers.views.direction import number
from handlers.views.labels import name_label
from matching.status import VolunteerStatus
from services.volunteer_queries import VolunteerFilter, VolunteerLine

PER_PAGE = 8


def markers(line: VolunteerLine) -> str:
    """⭐ Lotse, ⏸ paused, ⏳ waiting for approval, 📵 not reachable, ⛔ banned."""
    marks = [
        ("⭐", line.is_lotse),
        ("⏸", line.paused),
        ("⏳", line.status is VolunteerStatus.PENDING),
        ("📵", not line.reachable),
        ("⛔", line.status is VolunteerStatus.BANNED),
    ]
    return "".join(mark for mark, shown in marks if shown)


def _name(line: VolunteerLine) -> str:
    """Plain text (a button's label); escape it for a message."""
    return name_label(line.first_name, fallback=str(line.user_id))


def list_text(lines: Sequence[VolunteerLine], page: int, total: int) -> str:
    if not lines:
        return _("Nobody matches these filters.")
    first = page * PER_PAGE + 1
    head = _("Volunteers {first}–{last} of {total}:").format(
        first=number(first), last=number(first + len(lines) - 1), total=number(total)
    )
    rows = [
        f"{number(first + n)}. {escape(_name(line))} {markers(line)}".rstrip()
        for n, line in enumerate(lines)
    ]
    legend = _("⭐ Lotse · ⏸ paused · ⏳ waiting for approval · 📵 not reachable · ⛔ banned")
    return "\n".join([head, *rows, "", legend])


def _page_button(text: str, f: VolunteerFilter, page: int) -> InlineKeyboardButton:
    return button(text, VolunteerFilterCb.of(FilterPurpose.LIST, FilterView.GO, f, page))


def list_keyboard(
    lines: Sequence[VolunteerLine], f: VolunteerFilter, page: int, total: int
) -> InlineKeyboardMarkup:
    """A button per volunteer (their card opens as a new message), ‹ and › where there is a
    page before or after, and the filters."""
    people = [
        button(
            f"{_name(line)} {markers(line)}".rstrip(),
            VolunteerCardCb(action=CardAction.OPEN, volunteer_id=line.user_id),
        )
        for line in lines
    ]
    paging = []
    if page > 0:
        paging.append(_page_button("‹", f, page - 1))
    if (page + 1) * PER_PAGE < total:
        paging.append(_page_button("›", f, page + 1))
    summary = VolunteerFilterCb.of(FilterPurpose.LIST, FilterView.SUMMARY, f)
    back = [button("« " + _("Filters"), summary)]
    return InlineKeyboardMarkup(
        inline_keyboard=[*grid(people, 2), *([paging] if paging else []), back]
    )


def last_page(total: int) -> int:
    return max(0, (total - 1) // PER_PAGE)
