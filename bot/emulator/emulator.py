"""The emulator's state and the test-facing API: act as users, inspect chats, wait for things."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Mapping
from typing import Any

from bot.emulator.acting import button_with_data, callback_query, member_update, photo_sizes
from bot.emulator.limits import Clock, FaultInjector, RateLimiter
from bot.emulator.methods import BotApi
from bot.emulator.models import (
    CallbackRecord,
    Chat,
    Event,
    EventKind,
    JsonDict,
    SendRecord,
    Stats,
    StoredMessage,
    User,
)
from bot.emulator.observe import EmulatorView
from bot.emulator.store import ChatStore
from bot.emulator.updates import StateSignal, UpdateQueue
from bot.emulator.webhook import WebhookDelivery

EventHook = Callable[[Event], None]


class Emulator(EmulatorView):
    """An in-process stand-in for the Telegram Bot API; serve it with ``run_emulator``."""

    def __init__(
        self,
        *,
        global_rate: int = 30,
        per_chat_rate: int = 1,
        group_per_minute: int = 20,
        rate_limits: bool = True,
        max_message_length: int = 4096,
        max_callback_data_bytes: int = 64,
        on_event: EventHook | None = None,
        clock: Clock = time.monotonic,
        bot_id: int = 1000,
        bot_username: str = "lotse_test_bot",
        bot_first_name: str = "Lotse",
        latency: float = 0.0,
    ) -> None:
        bot = User(id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True)
        self.store = ChatStore(bot)
        self.signal = StateSignal()
        self.updates = UpdateQueue(self.signal)
        self.limits = RateLimiter(
            global_rate, per_chat_rate, group_per_minute, enabled=rate_limits, clock=clock
        )
        self.faults = FaultInjector()
        self.stats = Stats()
        self.sends: list[SendRecord] = []
        self.events: list[Event] = []
        # Calls held in flight, as if the network died before Telegram got them (see hold()).
        self.held_chats: set[int] = set()
        self.held_calls = 0
        self._held_transports: list[asyncio.BaseTransport] = []
        self._release = asyncio.Event()
        self.callback_queries: dict[str, CallbackRecord] = {}
        self.commands: dict[str, list[JsonDict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}  # (kind, language_code) -> text
        self.webhook = WebhookDelivery(self)  # setWebhook: updates are posted, not polled
        self.max_message_length = max_message_length
        self.max_callback_data_bytes = max_callback_data_bytes
        self.on_event = on_event
        self.clock = clock
        # Seconds every Bot API call waits before Telegram handles it: a round trip over the
        # internet, for benchmarks (off by default; tests want answers at once).
        self.latency = latency
        self.base_url = ""
        self._api = BotApi(self)
        self._query_ids = itertools.count(1)

    # --- limits, switchable at run time -----------------------------------------------------

    @property
    def global_rate(self) -> int:
        return self.limits.global_rate

    @global_rate.setter
    def global_rate(self, value: int) -> None:
        self.limits.global_rate = value

    @property
    def per_chat_rate(self) -> int:
        return self.limits.per_chat_rate

    @per_chat_rate.setter
    def per_chat_rate(self, value: int) -> None:
        self.limits.per_chat_rate = value

    @property
    def group_per_minute(self) -> int:
        return self.limits.group_per_minute

    @group_per_minute.setter
    def group_per_minute(self, value: int) -> None:
        self.limits.group_per_minute = value

    @property
    def rate_limits(self) -> bool:
        return self.limits.enabled

    @rate_limits.setter
    def rate_limits(self, enabled: bool) -> None:
        self.limits.enabled = enabled

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with this Bot API error."""
        self.faults.add(method, error_code, description, retry_after, count)

    # --- setup ------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str = "de",
        username: str | None = None,
    ) -> User:
        return self.store.add_user(User(user_id, first_name, language_code, username))

    def add_group(self, chat_id: int, title: str) -> Chat:
        return self.store.add_group(chat_id, title)

    # --- acting as a user -------------------------------------------------------------------

    def _user_message(self, user_id: int, chat_id: int | None) -> tuple[User, StoredMessage]:
        user = self.store.user(user_id)
        chat = self.store.chat(user_id if chat_id is None else chat_id)
        return user, self.store.new_message(chat, from_bot=False, sender_id=user.id)

    def _queue_message(self, message: StoredMessage) -> None:
        self.inject_update({"message": self.store.message_to_api(message)})
        self.emit_message("user_message", message)

    async def user_sends(
        self, user_id: int, text: str, *, chat_id: int | None = None
    ) -> StoredMessage:
        """The user types ``text``; a leading ``/command`` gets its ``bot_command`` entity."""
        _, message = self._user_message(user_id, chat_id)
        message.text = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message.entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self._queue_message(message)
        return message

    async def user_sends_photo(self, user_id: int, *, chat_id: int | None = None) -> StoredMessage:
        _, message = self._user_message(user_id, chat_id)
        message.photo = photo_sizes(f"{message.chat_id}_{message.message_id}")
        self._queue_message(message)
        return message

    async def press(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        *,
        chat_id: int | None = None,
        strict: bool = True,
    ) -> str:
        """Press an inline button; returns the callback query id.

        With ``strict`` the message must exist and carry a button with this data, as in a real
        client. ``strict=False`` forges presses on stale or deleted messages.
        """
        user = self.store.user(user_id)
        chat = self.store.chat(user_id if chat_id is None else chat_id)
        message = self.store.find(chat.id, message_id)
        button = button_with_data(message, callback_data)
        if strict and (message is None or button is None):
            raise LookupError(
                f"message #{message_id} in chat {chat.id} has no button with data "
                f"{callback_data!r}:\n{self.store.describe(chat.id)}"
            )
        query_id = f"{user.id}-{next(self._query_ids)}"
        record = CallbackRecord(query_id, user.id, chat.id, message_id, callback_data)
        self.callback_queries[query_id] = record
        self.inject_update({"callback_query": callback_query(self.store, record, user, message)})
        label = str(button.get("text")) if button else callback_data
        self._emit(Event("pressed", chat.id, chat.label, label, message_id=message_id))
        return query_id

    async def press_button(
        self, user_id: int, text_substring: str, *, chat_id: int | None = None
    ) -> str:
        """Press the newest bot inline button whose label contains ``text_substring``."""
        target = user_id if chat_id is None else chat_id
        message, button = self.store.newest_button(target, text_substring)
        data = str(button["callback_data"])
        return await self.press(user_id, message.message_id, data, chat_id=chat_id)

    def inject_update(self, raw: Mapping[str, Any]) -> JsonDict:
        """Queue any update as-is; without ``update_id`` the next id is assigned."""
        self.stats.updates_queued += 1
        return self.updates.put(dict(raw))

    def _member_update(self, user: User, old: str, new: str) -> None:
        self.inject_update({"my_chat_member": member_update(self.store, user, old, new)})

    async def block(self, user_id: int) -> None:
        """The user blocks the bot: sends get 403 and a ``my_chat_member`` update is queued."""
        user = self.store.user(user_id)
        self.store.blocked.add(user_id)
        self._member_update(user, "member", "kicked")
        self._emit(Event("blocked", user_id, user.first_name, "blocked the bot"))

    def unblock(self, user_id: int) -> None:
        user = self.store.user(user_id)
        self.store.blocked.discard(user_id)
        self._member_update(user, "kicked", "member")
        self._emit(Event("blocked", user_id, user.first_name, "unblocked the bot"))

    def hold(self, *chat_ids: int) -> None:
        """Keep sends to these chats waiting unanswered until release(). A caller that gives
        up or dies meanwhile never reaches Telegram: its message is not recorded."""
        self.held_chats.update(chat_ids)
        self._release.clear()

    def release(self) -> None:
        self.held_chats.clear()
        self._release.set()

    async def wait_while_held(self, chat_id: int, transport: asyncio.BaseTransport | None) -> None:
        if chat_id not in self.held_chats:
            return
        self.held_calls += 1
        if transport is not None:
            self._held_transports.append(transport)
        self.signal.notify()
        await self._release.wait()

    async def wait_held_callers_gone(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every caller of a held send has hung up (a killed bot's sockets close
        in the kernel; the event loop notices on its own schedule, so this looks again)."""
        async with asyncio.timeout(timeout):
            # No event tells of a socket the kernel closed; look again.
            while not all(t.is_closing() for t in self._held_transports):  # noqa: ASYNC110
                await asyncio.sleep(0.01)

    # --- hooks used by the API handlers -----------------------------------------------------

    async def call(self, method: str, params: Mapping[str, Any]) -> tuple[int, JsonDict]:
        """Handle one Bot API call; returns the HTTP status and JSON body."""
        return await self._api.call(method, params)

    def record_send(self, method: str, message: StoredMessage) -> None:
        self.sends.append(SendRecord(method, message.chat_id, message.message_id, self.clock()))

    def emit_message(self, kind: EventKind, message: StoredMessage) -> None:
        chat = self.store.chat(message.chat_id)
        shown, buttons = message.shown, message.button_texts
        event = Event(kind, chat.id, chat.label, shown, buttons, message.message_id)
        self._emit(event)

    def emit_answer(self, record: CallbackRecord) -> None:
        chat = self.store.chat(record.chat_id)
        text = str((record.answer or {}).get("text") or "")
        self._emit(Event("answered", chat.id, chat.label, text, message_id=record.message_id))

    def emit_chat_action(self, chat: Chat, action: str) -> None:
        self._emit(Event("typing", chat.id, chat.label, action))

    def _emit(self, event: Event) -> None:
        self.events.append(event)
        self.signal.notify()
        if self.on_event is not None:
            self.on_event(event)

    def close(self) -> None:
        """Release pending long polls so the HTTP server can shut down at once."""
        self.updates.close()
