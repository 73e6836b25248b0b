"""Dispatcher-level testing: the real Dispatcher fed raw updates, a recording fake at the
transport (no network), the real database on a SQLite file."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, Chat, Document, InlineKeyboardMarkup, Message, User


class RecordingSession(BaseSession):
    """Answers every Bot API call like Telegram would, and remembers it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self._ids = itertools.count(1000)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        self.calls.append(method)
        if isinstance(method, SendMessage):
            return Message(  # type: ignore[return-value]
                message_id=next(self._ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                text=method.text,
                # The bot sends inline keyboards only, the kind Telegram echoes back.
                reply_markup=cast(InlineKeyboardMarkup | None, method.reply_markup),
            )
        if isinstance(method, SendDocument):
            return self._document_message(method)  # type: ignore[return-value]
        return True  # type: ignore[return-value]

    def _document_message(self, method: SendDocument) -> Message:
        upload = method.document
        message_id = next(self._ids)
        if isinstance(upload, str):  # a file sent before, by its file_id
            document = Document(file_id=upload, file_unique_id=f"u{upload}")
        else:
            assert isinstance(upload, BufferedInputFile), "the bot uploads its documents"
            document = Document(
                file_id=f"doc{message_id}",
                file_unique_id=f"u{message_id}",
                file_name=upload.filename,
                file_size=len(upload.data),
            )
        return Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=int(method.chat_id), type="private"),
            document=document,
            caption=method.caption,
            reply_markup=cast(InlineKeyboardMarkup | None, method.reply_markup),
        )

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""

    async def close(self) -> None:
        return None


@dataclass
class Harness:
    dp: Dispatcher
    bot: Bot
    transport: RecordingSession
    # Waits until what the bot sent is recorded (the sender records in the background).
    settle: Callable[[], Awaitable[None]] | None = None
    update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @staticmethod
    def user(
        user_id: int, name: str = "Test", language_code: str = "en", username: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": name,
            "language_code": language_code,
            **({"username": username} if username else {}),
        }

    async def feed(self, update: dict[str, Any]) -> list[TelegramMethod[Any]]:
        """Feed one raw update; return the calls the bot made while handling it."""
        start = len(self.transport.calls)
        await self.dp.feed_raw_update(self.bot, update)
        if self.settle is not None:
            await self.settle()
        return self.transport.calls[start:]

    def message_update(self, user_id: int, content: dict[str, Any], **user: Any) -> dict[str, Any]:
        return {
            "update_id": next(self.update_ids),
            "message": {
                "message_id": next(self.message_ids),
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": user_id, "type": "private"},
                "from": self.user(user_id, **user),
                **content,
            },
        }

    async def send(self, user_id: int, text: str, **user: Any) -> list[TelegramMethod[Any]]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.feed(self.message_update(user_id, content, **user))

    async def photo(self, user_id: int, **user: Any) -> list[TelegramMethod[Any]]:
        content = {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]}
        return await self.feed(self.message_update(user_id, content, **user))

    def press_update(
        self, user_id: int, data: str, message_id: int = 1, **user: Any
    ) -> dict[str, Any]:
        return {
            "update_id": next(self.update_ids),
            "callback_query": {
                "id": str(next(self.update_ids)),
                "chat_instance": "ci",
                "from": self.user(user_id, **user),
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(datetime.now(UTC).timestamp()),
                    "chat": {"id": user_id, "type": "private"},
                    "from": {"id": 1, "is_bot": True, "first_name": "Lotse"},
                    "text": "…",
                },
            },
        }

    async def press(self, user_id: int, data: str, **user: Any) -> list[TelegramMethod[Any]]:
        return await self.feed(self.press_update(user_id, data, **user))


def texts(calls: list[TelegramMethod[Any]]) -> list[str]:
    """What the user saw: sent and edited texts, and callback alerts."""
    out: list[str] = []
    for call in calls:
        if isinstance(call, SendMessage | EditMessageText):
            out.append(call.text or "")
        if isinstance(call, AnswerCallbackQuery) and call.text:
            out.append(call.text)
    return out


def buttons(calls: list[TelegramMethod[Any]]) -> list[tuple[str, str]]:
    """(text, callback_data) of every inline button in the last call that had a keyboard."""
    for call in reversed(calls):
        markup = getattr(call, "reply_markup", None)
        if isinstance(call, SendMessage | EditMessageText | EditMessageReplyMarkup) and markup:
            return [(b.text, b.callback_data or "") for row in markup.inline_keyboard for b in row]
    return []


def make_bot(transport: RecordingSession) -> Bot:
    return Bot(
        "42:TEST",
        session=transport,
        default=DefaultBotProperties(parse_mode="HTML"),
    )


__all__ = ["Harness", "RecordingSession", "User", "buttons", "make_bot", "texts"]
