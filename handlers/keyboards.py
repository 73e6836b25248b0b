"""Inline keyboards. Every form step has a way back and a way out."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    TOGGLE_DONE,
    FormField,
    LangCb,
    MenuAction,
    MenuCb,
    NavAction,
    NavCb,
    PickCb,
    SignupField,
    ToggleCb,
)
from matching.locales import own_name

# The way to the language picker reads the same in every language: whoever cannot read the
# language they got must still find it.
LANGUAGE_BUTTON = "🌐 🗣"


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def grid(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def nav_row(*, back: bool = True) -> list[InlineKeyboardButton]:
    row = [button("✖ " + _("Cancel"), NavCb(action=NavAction.CANCEL))]
    if back:
        row.insert(0, button("« " + _("Back"), NavCb(action=NavAction.BACK)))
    return row


def markup(rows: Iterable[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def choices(
    field: FormField, options: Sequence[tuple[str, str]], *, width: int = 2, back: bool = True
) -> InlineKeyboardMarkup:
    # The same few keyboards are asked for all day; keyboards are immutable, so one is built
    # per language (the Back and Cancel labels) and shared.
    return _choices(field, tuple(options), width, back, get_i18n().current_locale)


@functools.lru_cache(maxsize=1024)
def _choices(
    field: FormField, options: tuple[tuple[str, str], ...], width: int, back: bool, _locale: str
) -> InlineKeyboardMarkup:
    buttons = [button(label, PickCb(field=field, value=value)) for value, label in options]
    return markup([*grid(buttons, width), nav_row(back=back)])


def toggles(
    field: SignupField,
    options: Sequence[tuple[str, str]],
    selected: Iterable[str],
    *,
    done: str,
    width: int = 2,
    back: bool = True,
) -> InlineKeyboardMarkup:
    chosen = set(selected)
    buttons = [
        button(("✅ " if value in chosen else "▫️ ") + label, ToggleCb(field=field, value=value))
        for value, label in options
    ]
    done_row = [button(done, ToggleCb(field=field, value=TOGGLE_DONE))]
    return markup([*grid(buttons, width), done_row, nav_row(back=back)])


def language_menu_button() -> InlineKeyboardButton:
    return button(LANGUAGE_BUTTON, MenuCb(action=MenuAction.LANG))


def languages(codes: Sequence[str], *, marked: str | None = None) -> InlineKeyboardMarkup:
    """The language picker: each language in its own name, in the given order; `marked` is
    the one the person speaks with us now."""
    buttons = [
        button(("✓ " if code == marked else "") + own_name(code), LangCb(code=code))
        for code in codes
    ]
    return markup(grid(buttons, 2))
