"""An update's answers are sent after its transaction commits, never while it is open.

While the unit of work (bot/middlewares.py) holds an update's transaction, every Bot API call
that code makes through the bot (`message.answer`, `query.message.edit_text`, `query.answer`)
is held here instead of going to Telegram: messages and edits become outbox rows in the same
transaction, and callback toasts (and a coordinator's new menu) wait in memory. After the
commit, those go out directly and the rows at once through the sender's pacer; after a crash,
the outbox still has the rows (and the menus are published again at start-up).
Photos and documents an update sends (a coordinator's charts and exports) are held in memory
too and sent right after the commit through the sender's pacer: they answer a request and
change no state, so they are not worth an outbox row; after a crash they are lost and the
coordinator asks again.
So a person is never shown success for something that was rolled back, and handlers stay
plain aiogram code that cannot get this wrong.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiogram.methods as api
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteMyCommands,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message
from aiogram.utils.i18n import I18n

from handlers.views.direction import for_reader

# A toast ends a button's spinner; a menu changes with a coordinator's role.
DIRECT = (AnswerCallbackQuery, SetMyCommands, DeleteMyCommands)
HELD = (SendMessage, EditMessageText, EditMessageCaption, EditMessageReplyMarkup, DeleteMessage)


class CallInTransaction(RuntimeError):
    """A Bot API call whose answer the code needs, made while a transaction is open."""


@dataclass
class Held:
    """What one update asked Telegram to do, in order."""

    rows: list[TelegramMethod[Any]] = field(default_factory=list)  # become outbox rows
    # Sent directly after the commit; nobody reads their result: toasts, coordinators' menus.
    direct: list[TelegramMethod[Any]] = field(default_factory=list)
    files: list[SendPhoto | SendDocument] = field(default_factory=list)  # sent after commit
    # Answers to somebody who has not agreed to the privacy notice: sent, never stored.
    unkept: list[TelegramMethod[Any]] = field(default_factory=list)

    def discard(self) -> None:
        """The update failed: what it said so far must not reach anybody."""
        self.rows.clear()
        self.direct.clear()
        self.files.clear()
        self.unkept.clear()


_held: ContextVar[Held | None] = ContextVar("lotse_held_calls", default=None)


@contextlib.contextmanager
def holding() -> Iterator[Held]:
    held = Held()
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


class HoldDuringTransaction(BaseRequestMiddleware):
    """The bot's request middleware: holds calls made inside an update's transaction."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        held = _held.get()
        if held is None:
            return await make_request(bot, method)
        _direct(method)
        if isinstance(method, DIRECT):
            held.direct.append(method)
            return True
        if isinstance(method, SendPhoto | SendDocument):
            held.files.append(method)
            return _placeholder(method)
        if not isinstance(method, HELD):
            raise CallInTransaction(f"{type(method).__name__} needs Telegram's answer")
        held.rows.append(method)
        if isinstance(method, SendMessage):
            # Nobody reads the result of an answer; the real id is recorded when it is sent.
            chat = Chat(id=int(method.chat_id), type="private")
            return Message(message_id=0, date=datetime.now(UTC), chat=chat, text=method.text)
        return True


def _placeholder(method: SendPhoto | SendDocument) -> Message:
    """Nobody reads the result of a file sent as an answer; it is sent after the commit."""
    chat = Chat(id=int(method.chat_id), type="private")
    return Message(message_id=0, date=datetime.now(UTC), chat=chat, caption=method.caption)


def _direct(method: TelegramMethod[Any]) -> None:
    """Marks an answer's text right to left for an Arabic or Farsi reader: the update's locale
    (aiogram's I18n middleware set it) is the reader's, as every held call answers that update."""
    i18n = I18n.get_current(no_error=True)
    shown = SendMessage | EditMessageText | EditMessageCaption | AnswerCallbackQuery
    if i18n is None or not isinstance(method, shown):
        return
    if isinstance(method, EditMessageCaption):
        if method.caption:
            method.caption = for_reader(method.caption, i18n.current_locale)
        return
    if method.text:
        method.text = for_reader(method.text, i18n.current_locale)


_holding_sessions: weakref.WeakSet[Any] = weakref.WeakSet()


def ensure_holding(bot: Bot) -> None:
    """Make this bot hold its calls during transactions (once per HTTP session)."""
    if bot.session not in _holding_sessions:
        bot.session.middleware(HoldDuringTransaction())
        _holding_sessions.add(bot.session)


def chat_of(method: TelegramMethod[Any]) -> int:
    return int(getattr(method, "chat_id", 0) or 0)


def dump(method: TelegramMethod[Any]) -> dict[str, Any]:
    """A held call as JSON: its name and the arguments given (the bot's defaults apply when
    it is sent)."""
    given = {
        name
        for name, value in method
        if value is not None and not isinstance(value, Default) and name != "as_"
    }
    return {
        "method": type(method).__name__,
        "params": method.model_dump(mode="json", include=given),
    }


def restore(payload: dict[str, Any]) -> TelegramMethod[Any]:
    cls = getattr(api, payload["method"])
    if not (isinstance(cls, type) and issubclass(cls, HELD)):
        raise ValueError(f"not a call we hold: {payload['method']}")
    method: TelegramMethod[Any] = cls.model_validate(payload["params"])
    return method
