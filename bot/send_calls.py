"""What the sender puts on the wire: a row made into a message or a document (rendered in its
reader's language, or the held call of an update's answer) and the Bot API call that sends it."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.types import BufferedInputFile, Message

from bot.replies import restore
from handlers.views.document import Document, Rendered, Shown
from services.outbox import Due, Notice, Payload, from_json, locale_for

RenderFn = Callable[[Payload, str], Shown]  # (payload, locale) -> (text, keyboard) or Document
Prepared = Shown | TelegramMethod[Any]

T = TypeVar("T")

__all__ = [
    "Document",
    "Prepared",
    "RenderFn",
    "Rendered",
    "Uploaded",
    "call",
    "is_new_message",
    "prepare",
]

_NOT_MODIFIED = "message is not modified"


def prepare(row: Due, render: RenderFn, locales: Collection[str], default: str) -> Prepared:
    """The message a row stands for; raises if its payload does not fit its kind."""
    if row.kind == Notice.ANSWER:
        return restore(row.payload)
    shown = render(from_json(row.kind, row.payload), locale_for(row, locales, default))
    if isinstance(shown, Document) and row.edit_of is not None:
        raise ValueError("a document is always a new message, never an edit")
    return shown


def is_new_message(row: Due, prepared: Prepared) -> bool:
    """Whether the call posts a new message (which counts against Telegram's overall rate)
    rather than editing or deleting one."""
    if isinstance(prepared, TelegramMethod):
        return prepared.__api_method__.startswith("send")
    return row.edit_of is None


async def call(bot: Bot, row: Due, prepared: Prepared, uploaded: Uploaded | None = None) -> int:
    """Send, edit, or make the held call; returns the message id."""
    if isinstance(prepared, TelegramMethod):
        return await _call_method(bot, prepared)
    if isinstance(prepared, Document):
        return await _send_document(bot, row.chat_id, prepared, uploaded or Uploaded())
    text, markup = prepared
    if row.edit_of is None:
        message = await bot.send_message(row.chat_id, text, reply_markup=markup)
        return message.message_id
    if row.target_message_id is None:
        raise LookupError(f"outbox row {row.edit_of} was sent without a message id")
    await unless_unchanged(
        bot.edit_message_text(
            text, chat_id=row.chat_id, message_id=row.target_message_id, reply_markup=markup
        )
    )
    return row.target_message_id


class Uploaded:
    """Files Telegram already has, by content: the same file goes again by its file_id (the
    first reminder of a meeting to 500 people uploads its calendar file once, not 500 times)."""

    SIZE = 256

    def __init__(self) -> None:
        self._ids: OrderedDict[str, str] = OrderedDict()

    @staticmethod
    def key(document: Document) -> str:
        return hashlib.sha256(document.filename.encode() + b"\0" + document.content).hexdigest()

    def get(self, key: str) -> str | None:
        return self._ids.get(key)

    def put(self, key: str, file_id: str) -> None:
        self._ids[key] = file_id
        self._ids.move_to_end(key)
        while len(self._ids) > self.SIZE:
            self._ids.popitem(last=False)

    def forget(self, key: str) -> None:
        self._ids.pop(key, None)


async def _send_document(bot: Bot, chat_id: int, document: Document, uploaded: Uploaded) -> int:
    key = uploaded.key(document)
    known = uploaded.get(key)
    if known is not None:
        try:
            return (await _post(bot, chat_id, document, known)).message_id
        except TelegramBadRequest:
            uploaded.forget(key)  # Telegram no longer knows it: upload it again
    message = await _post(
        bot, chat_id, document, BufferedInputFile(document.content, filename=document.filename)
    )
    if message.document is not None:
        uploaded.put(key, message.document.file_id)
    return message.message_id


async def _post(
    bot: Bot, chat_id: int, document: Document, file: str | BufferedInputFile
) -> Message:
    return await bot.send_document(
        chat_id, file, caption=document.caption or None, reply_markup=document.keyboard
    )


async def _call_method(bot: Bot, method: TelegramMethod[Any]) -> int:
    result = await unless_unchanged(bot(method))
    if isinstance(result, Message):
        return result.message_id
    return int(getattr(method, "message_id", None) or 0)


async def unless_unchanged(call: Awaitable[T]) -> T | None:
    """The call's result, or None when Telegram answers "message is not modified": the
    message already says this (a double tap, an edit sent again after a crash), so the call's
    work is done."""
    try:
        return await call
    except TelegramBadRequest as exc:
        if _NOT_MODIFIED not in exc.message:
            raise
        return None
