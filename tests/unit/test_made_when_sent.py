"""A file a handler sends is made when it is sent, in the context it was asked for in."""

from __future__ import annotations

import contextvars

from aiogram import Bot

from handlers.views.document import MadeWhenSent

WORD: contextvars.ContextVar[str] = contextvars.ContextVar("word", default="none")


async def test_the_file_is_made_when_read_in_the_context_it_was_asked_for_in() -> None:
    made: list[str] = []

    def make() -> bytes:
        made.append(WORD.get())
        return WORD.get().encode()

    WORD.set("Anfrage")
    file = MadeWhenSent(make, "stats.png")
    WORD.set("request")  # the handler's context has moved on by the time the file is sent
    assert made == []  # nothing drawn while the handler (and its transaction) runs
    chunks = [chunk async for chunk in file.read(Bot("123:abc"))]
    assert b"".join(chunks) == b"Anfrage" and made == ["Anfrage"]
    assert file.data == b"Anfrage" and made == ["Anfrage"]  # made once
