"""The first meeting reminder is the calendar file with the reminder as its caption, unless
the caption would be longer than Telegram takes: then it is a message."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n

from bot.config import DEFAULT_LOCALES_DIR
from handlers.views.document import Document
from handlers.views.notices import make_renderer
from matching.areas import Areas
from services.outbox import MeetingReminder

START = datetime(2026, 3, 26, 17, 30, tzinfo=UTC)


def test_the_invitation_comes_as_a_message_when_its_caption_would_be_too_long() -> None:
    i18n = I18n(path=DEFAULT_LOCALES_DIR, default_locale="en")
    reminder = MeetingReminder(
        meeting_id=1,
        occurrence=START,
        title="Helpers",
        place="Room 2, " * 200,
        duration_minutes=90,
        offset_minutes=1440,
        weekly=True,
        tz="Europe/Berlin",
        skipped=(),
        invitation=True,
    )
    render = make_renderer(i18n, Areas(districts={}, skills={}), ZoneInfo("Europe/Berlin"))
    assert isinstance(render(replace(reminder, place="Room 2"), "en"), Document)
    text, keyboard = cast(tuple[str, Any], render(reminder, "en"))
    assert "Helpers" in text and keyboard is not None
