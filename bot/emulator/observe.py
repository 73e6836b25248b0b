"""Read-only views of emulator state and waiting for it to change, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from bot.emulator.models import (
    CallbackRecord,
    JsonDict,
    SendRecord,
    StoredDocument,
    StoredMessage,
)
from bot.emulator.store import ChatStore
from bot.emulator.updates import StateSignal, UpdateQueue

T = TypeVar("T")
# Told the method name and the result of every successful Bot API call, updates handed out by
# getUpdates included; conformance tests check them against an independent model of the API.
ResultObserver = Callable[[str, Any], None]


class EmulatorView:
    """Base of :class:`~bot.emulator.emulator.Emulator`, which sets these attributes."""

    store: ChatStore
    signal: StateSignal
    updates: UpdateQueue
    sends: list[SendRecord]
    callback_queries: dict[str, CallbackRecord]
    # Shared by every emulator in the process and empty unless a test registers an observer,
    # so that one registration sees all emulators, also those a helper starts on its own.
    result_observers: ClassVar[list[ResultObserver]] = []

    # --- inspecting -------------------------------------------------------------------------

    def transcript(self, chat_id: int) -> list[StoredMessage]:
        """Every message of the chat in both directions, deleted ones included (flagged)."""
        return self.store.transcript(chat_id)

    def messages_to(self, user_id: int) -> list[StoredMessage]:
        """The bot's messages in the user's private chat that still exist, oldest first."""
        return self.store.bot_messages(user_id)

    def last_message_to(self, user_id: int) -> StoredMessage | None:
        messages = self.messages_to(user_id)
        return messages[-1] if messages else None

    def documents_to(self, user_id: int) -> list[StoredDocument]:
        """The files the bot sent into the user's private chat, oldest first, bytes included."""
        return [m.document for m in self.messages_to(user_id) if m.document is not None]

    def photos_to(self, user_id: int) -> list[StoredDocument]:
        """The pictures the bot sent into the user's private chat, oldest first, bytes included
        (the sizes Telegram made of each are on its message's ``photo``)."""
        return [m.photo_file for m in self.messages_to(user_id) if m.photo_file is not None]

    def callback_answer(self, query_id: str) -> JsonDict | None:
        record = self.callback_queries.get(query_id)
        return record.answer if record else None

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot through ``offset``."""
        return len(self.updates)

    def max_sends_in_window(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """The most accepted sends that fell into any ``window``-second span: new messages
        overall, or every send (edits too) to one chat, as the limits count them."""
        if chat_id is None:
            times = [s.at for s in self.sends if s.method.startswith("send")]
        else:
            times = [s.at for s in self.sends if s.chat_id == chat_id]
        best = start = 0
        for end, at in enumerate(times):
            while at - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def describe(self, chat_id: int | None = None) -> str:
        """Transcript tail of one chat, or of every chat that has messages."""
        chat_ids = [chat_id] if chat_id is not None else list(self.store.messages)
        parts = [
            f"chat {cid} ({self.store.chats[cid].label}):\n{self.store.describe(cid)}"
            for cid in chat_ids
            if cid in self.store.chats and (chat_id is not None or self.store.messages[cid])
        ]
        return "\n".join(parts) or "(no chats have messages)"

    # --- waiting ----------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 -- a deadline per wait reads best in tests
        *,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> T:
        """Wait until ``predicate()`` is truthy and return its value.

        The predicate is re-evaluated on every state change, never on a timer. On timeout a
        ``TimeoutError`` describes what was awaited and shows the transcript.
        """
        found: list[T] = []

        def check() -> bool:
            value = predicate()
            if value:
                found.append(value)
            return bool(value)

        if await self.signal.wait_until(check, timeout):
            return found[-1]
        what = description or getattr(predicate, "__name__", repr(predicate))
        raise TimeoutError(
            f"timed out after {timeout}s waiting for {what}\n{self.describe(chat_id)}"
        )

    async def wait_for_message(
        self,
        user_id: int,
        contains: str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        after: int = 0,
        chat_id: int | None = None,
    ) -> StoredMessage:
        """Wait for a bot message (current text or caption, edits count) with
        ``message_id > after``.

        Returns the newest match. ``chat_id`` selects a group chat instead of the user's.
        """
        target = user_id if chat_id is None else chat_id

        def match() -> StoredMessage | None:
            for message in reversed(self.store.bot_messages(target)):
                text = message.text or message.caption or ""
                if message.message_id > after and (contains is None or contains in text):
                    return message
            return None

        wanted = f"a bot message in chat {target}" + (
            f" containing {contains!r}" if contains else ""
        )
        return await self.wait_for(match, timeout, description=wanted, chat_id=target)

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JsonDict:
        record = self.callback_queries[query_id]
        return await self.wait_for(
            lambda: record.answer,
            timeout,
            description=f"answerCallbackQuery for query {query_id} (data {record.data!r})",
            chat_id=record.chat_id,
        )

    async def wait_for_updates_confirmed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has fetched and confirmed every queued update."""
        await self.wait_for(
            lambda: self.pending_updates == 0, timeout, description="all updates to be confirmed"
        )
