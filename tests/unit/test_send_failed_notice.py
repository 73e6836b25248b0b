"""What the coordinators read when a message is parked for good: which chat, what kind of
message in plain words, that it will not be sent again, and why: Telegram's own answer without
the exception's class name and aiogram's preamble, or that the bot could not make it (with no
details, which could quote anything)."""

from __future__ import annotations

from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n

from bot.config import DEFAULT_LOCALES_DIR
from handlers.views.delivery import telegram_answer
from handlers.views.notices import make_renderer
from matching.areas import Areas
from services.outbox import Notice, SendFailedNotice

STORED = "TelegramBadRequest: Telegram server says - Bad Request: message is too long"


def _render(kind: str, locale: str, error: str = STORED) -> str:
    i18n = I18n(path=DEFAULT_LOCALES_DIR, default_locale="en")
    render = make_renderer(i18n, Areas(districts={}, skills={}), ZoneInfo("Europe/Berlin"))
    notice = SendFailedNotice(chat_id=4711, failed_kind=kind, error=error)
    text, keyboard = cast(tuple[str, Any], render(notice, locale))
    assert keyboard is None
    return text


def test_the_notice_says_what_failed_in_plain_words() -> None:
    text = _render(Notice.OFFER, "en")
    assert "4711" in text
    assert "What: a request offered to a volunteer" in text
    assert "will not be sent again" in text
    assert "Telegram's answer: \u2068Bad Request: message is too long\u2069" in text  # isolated
    assert "TelegramBadRequest" not in text and "server says" not in text


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        (Notice.ANSWER, "a reply to their message or button press"),
        (Notice.MEETING_SKIPPED, "a message about a meeting"),
        (Notice.ASSIGNMENT_REMINDER_SEEKER, "a reminder about a request"),
        (Notice.SEEKER_MATCHED, "news about a request"),
        (Notice.VOLUNTEER_APPROVED, "news about a volunteer profile"),
        (Notice.BROADCAST, "a broadcast"),
        (Notice.STAY_QUESTION, "a notice"),
    ],
)
def test_every_kind_has_a_name(kind: Notice, what: str) -> None:
    assert f"What: {what}" in _render(kind, "en")


def test_the_notice_is_in_the_coordinators_language() -> None:
    text = _render(Notice.OFFER, "de")
    assert "Telegram's answer" not in text and "4711" in text


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        (STORED, "Bad Request: message is too long"),
        ("TelegramNotFound: Telegram server says - Not Found", "Not Found"),
        ("ValueError: no renderer", None),
        ("render: KeyError('Anna')", None),
        ("stale", None),
    ],
)
def test_telegram_answer_keeps_only_what_was_said(stored: str, said: str | None) -> None:
    assert telegram_answer(stored) == said


def test_a_message_the_bot_could_not_make_is_not_blamed_on_telegram() -> None:
    text = _render(Notice.OFFER, "en", error="render: KeyError('Anna')")
    assert "The bot could not prepare it" in text
    assert "Telegram" not in text and "Anna" not in text
