"""Per person, before any database work: one update of a chat at a time, in order, and a flood
guard. Different chats never wait for each other, so one person sending sixty messages delays
nobody else: they get one polite "slow down" in their language, then silence until calm."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import SendMessage
from aiogram.types import Chat, TelegramObject, Update
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n

from bot.middlewares import Delivery

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
SlowDown = Callable[[], str]
_SWEEP_EVERY = 256  # new people between sweeps of the calm ones


@dataclass
class _Person:
    tokens: float
    at: float
    warned: bool = False
    waiting: int = 0  # updates of this chat inside or queued at the lock
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ChatGate(BaseMiddleware):
    def __init__(
        self,
        *,
        burst: int,
        rate: float,
        i18n: I18n,
        slow_down: SlowDown,
        delivery: Delivery,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._burst, self._rate = float(burst), rate
        self._i18n = i18n
        self._slow_down = slow_down
        self._delivery = delivery
        self._now = monotonic
        self._people: dict[int, _Person] = {}
        self._seen = 0

    def _forget_calm(self) -> None:
        """People who are idle and whose bucket has refilled need no memory."""
        now = self._now()
        calm = [
            user_id
            for user_id, p in self._people.items()
            if p.waiting == 0 and p.tokens + (now - p.at) * self._rate >= self._burst
        ]
        for user_id in calm:
            del self._people[user_id]

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: TgUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or user.is_bot:
            return await handler(event, data)
        person = self._person(user.id)
        if not self._admit(person):
            if not person.warned:
                person.warned = True
                await self._warn(user, chat, event)
            return None
        person.waiting += 1
        try:
            async with person.lock:  # FIFO: a chat's updates are handled in the order they came
                return await handler(event, data)
        finally:
            person.waiting -= 1

    def _person(self, user_id: int) -> _Person:
        person = self._people.get(user_id)
        if person is None:
            self._seen += 1
            if self._seen % _SWEEP_EVERY == 0:
                self._forget_calm()
            person = self._people[user_id] = _Person(tokens=self._burst, at=self._now())
        return person

    def _admit(self, person: _Person) -> bool:
        now = self._now()
        person.tokens = min(self._burst, person.tokens + (now - person.at) * self._rate)
        person.at = now
        if person.tokens >= self._burst:
            person.warned = False  # calm again: a new flood earns a new warning
        if person.tokens < 1:
            return False
        person.tokens -= 1
        return True

    async def _warn(self, user: TgUser, chat: Chat | None, event: TelegramObject) -> None:
        chat_id = chat.id if chat is not None else user.id
        code = (user.language_code or "").split("-")[0].lower()
        locale = code if code in self._i18n.available_locales else self._i18n.default_locale
        with self._i18n.context(), self._i18n.use_locale(locale):
            text = self._slow_down()
        update_id = event.update_id if isinstance(event, Update) else None
        log.info("update %s: chat %s is flooding; warned once, dropping", update_id, chat_id)
        try:
            await self._delivery.call(SendMessage(chat_id=chat_id, text=text), chat_id)
        except TelegramAPIError as exc:
            log.info("flood warning to chat %s failed: %s", chat_id, type(exc).__name__)
