"""A notice that is a file: a renderer may return a Document instead of (text, keyboard), and
the sender posts it with sendDocument (a meeting's calendar invitation, an .ics file)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from aiogram.types import InlineKeyboardMarkup

from handlers.views.direction import for_reader

Rendered = tuple[str, InlineKeyboardMarkup | None]  # text (HTML), keyboard


@dataclass(frozen=True)
class Document:
    """A file with an optional caption under it. The caption is HTML like a message's text;
    Telegram takes at most 1024 characters of it (after parsing the tags)."""

    filename: str  # the name the reader sees and saves; its extension tells the type
    content: bytes
    caption: str = ""
    keyboard: InlineKeyboardMarkup | None = None


Shown = Rendered | Document  # what a renderer may return


def for_reader_shown(shown: Shown, locale: str | None) -> Shown:
    """A message or a document's caption as a reader of `locale` gets it (see for_reader)."""
    if isinstance(shown, Document):
        return replace(shown, caption=for_reader(shown.caption, locale)) if shown.caption else shown
    text, keyboard = shown
    return for_reader(text, locale), keyboard
