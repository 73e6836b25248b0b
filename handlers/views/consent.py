"""The privacy notice: the agency's text in the reader's language (a file per language, see
docs/OPERATIONS.md), the question, and its buttons."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.privacy_callbacks import ConsentAction, ConsentCb
from matching.locales import OWN_NAMES, offered

FALLBACK = "en"


def notice_body(notices: Mapping[str, str], locale: str, days: int) -> str:
    """The notice in `locale`, else in English, else in any language there is."""
    text = notices.get(locale) or notices.get(FALLBACK) or next(iter(notices.values()))
    return text.strip().replace("{days}", str(days))


def question(notices: Mapping[str, str], locale: str, days: int) -> str:
    return notice_body(notices, locale, days) + "\n\n" + _("Do you agree?")


def question_keyboard(locale: str, available: list[str], chosen: str = "") -> InlineKeyboardMarkup:
    """Agree, No, and the other languages (each in its own name) to read the notice in."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text="✅ " + _("I agree"), callback_data=ConsentCb(action=ConsentAction.AGREE, lang=chosen)
    )
    builder.button(
        text="✖ " + _("No"), callback_data=ConsentCb(action=ConsentAction.DECLINE, lang=chosen)
    )
    others = [code for code in offered(available) if code != locale]
    for code in others:
        builder.button(
            text=OWN_NAMES[code], callback_data=ConsentCb(action=ConsentAction.LANGUAGE, lang=code)
        )
    builder.adjust(2, *([4] * ((len(others) + 3) // 4)))
    return builder.as_markup()


def agreed_note() -> str:
    return _("You have agreed. /mydata shows what we store about you. /forget deletes it.")


def declined_text() -> str:
    return _(
        "All right. We store nothing about you, only this answer. "
        "If you change your mind, send /start."
    )


def answer_first() -> str:
    return _("Please answer the question about your data first. Send /start to see it.")
