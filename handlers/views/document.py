"""Files for people. A notice that is a file: a renderer may return a Document instead of
(text, keyboard), and the sender posts it with sendDocument (a meeting's calendar invitation,
an .ics file). A file a handler sends: MadeWhenSent, drawn after the commit."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, replace

from aiogram import Bot
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, InputFile
from aiogram.utils.i18n import gettext as _

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


class MadeWhenSent(BufferedInputFile):
    """A file that is made when it is sent, not when a handler asks for it.

    A handler's photos and documents go out after its transaction commits (bot/replies.py), so
    a chart or a workbook made by `make` is drawn then, in a worker thread: the transaction (on
    SQLite, the process's one connection) is not held while it is drawn, and the answers held
    with it ("Working on it…") reach the reader first. `make` runs in a copy of the context the
    file was asked for in, so it speaks the reader's language."""

    def __init__(self, make: Callable[[], bytes], filename: str) -> None:
        InputFile.__init__(self, filename=filename)
        self._make = make
        self._context = contextvars.copy_context()
        self._made: bytes | None = None

    @property
    def data(self) -> bytes:
        if self._made is None:
            self._made = self._context.run(self._make)
        return self._made

    @data.setter
    def data(self, value: bytes) -> None:
        self._made = value

    async def make(self) -> None:
        """Draw the file now, in a worker thread, unless it is drawn already."""
        if self._made is None:
            self._made = await asyncio.to_thread(self._context.run, self._make)

    async def read(self, bot: Bot) -> AsyncGenerator[bytes, None]:
        await self.make()
        async for chunk in super().read(bot):
            yield chunk


def file_not_made() -> str:
    """A chart or an export failed to be made after the request was answered."""
    return _("Sorry, the file could not be made. Please try again later.")
