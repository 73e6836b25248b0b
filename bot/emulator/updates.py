"""The update queue behind ``getUpdates``, and the signal every waiter sleeps on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from bot.emulator.models import ApiError, JsonDict

# Telegram leaves these out unless the bot asks for them explicitly.
_OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class StateSignal:
    """Wakes all waiters on every state change.

    It plays the role of an ``asyncio.Condition`` but needs no lock, so synchronous mutators
    (``inject_update``, ``unblock``) can notify too. Waiters re-check their predicate after each
    wake-up; nobody polls on a timer.
    """

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_until(self, predicate: Callable[[], bool], seconds: float | None) -> bool:
        """Return True once ``predicate()`` holds, False if ``seconds`` pass first."""
        loop = asyncio.get_running_loop()
        deadline = None if seconds is None else loop.time() + seconds
        while not predicate():
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    await waiter
            except TimeoutError:
                return predicate()
            finally:
                self._waiters.discard(waiter)
        return True


def chat_of(update: JsonDict) -> int:
    """The chat an update belongs to (0 when it names none)."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        for holder in (value, value.get("message") or {}):
            chat = holder.get("chat")
            if isinstance(chat, dict):
                return int(chat["id"])
        sender = value.get("from")
        if isinstance(sender, dict):
            return int(sender["id"])
    return 0


@dataclass
class _Pending:
    update: JsonDict
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((key for key in self.update if key != "update_id"), "")


class UpdateQueue:
    def __init__(self, signal: StateSignal) -> None:
        self._signal = signal
        self._pending: list[_Pending] = []
        self._next_id = 1
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self.closed = False

    def __len__(self) -> int:
        return len(self._pending)

    def put(self, payload: JsonDict) -> JsonDict:
        """Queue an update; an ``update_id`` in ``payload`` is kept, to replay duplicates."""
        if "update_id" in payload:
            update = dict(payload)
            self._next_id = max(self._next_id, int(update["update_id"]) + 1)
        else:
            update = {"update_id": self._next_id, **payload}
            self._next_id += 1
        self._pending.append(_Pending(update))
        self._pending.sort(key=lambda p: p.update_id)
        self._signal.notify()
        return update

    def clear(self) -> None:
        self._pending.clear()

    def confirm(self, offset: int) -> None:
        if offset > 0:
            # Only what the bot has seen can be confirmed; a replayed old id still arrives once.
            self._pending = [p for p in self._pending if p.update_id >= offset or not p.delivered]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is not None:
            self._allowed = frozenset(allowed) if allowed else None

    def _is_allowed(self, pending: _Pending) -> bool:
        if self._allowed is None:
            return pending.kind not in _OPT_IN_TYPES
        return pending.kind in self._allowed

    def _take(self, limit: int) -> list[JsonDict]:
        # Telegram does not even generate updates of types the bot opted out of.
        self._pending = [p for p in self._pending if self._is_allowed(p)]
        batch = self._pending[:limit]
        for pending in batch:
            pending.delivered = True
        return [p.update for p in batch]

    async def get(self, offset: int, limit: int, wait_seconds: float) -> list[JsonDict]:
        """Long poll: answer once something is deliverable, or empty after ``wait_seconds``."""
        if self.closed:
            # An error makes a still-running bot back off instead of spinning on empty answers.
            raise ApiError(502, "Bad Gateway")
        self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal.notify()  # an older poll still waiting must learn it was superseded

        def ready() -> bool:
            superseded = generation != self._poll_generation
            return self.closed or superseded or any(map(self._is_allowed, self._pending))

        await self._signal.wait_until(ready, max(wait_seconds, 0.0))
        if generation != self._poll_generation:
            raise ApiError(409, _CONFLICT)
        if self.closed:
            return []
        return self._take(max(1, min(limit, 100)))

    def _next_for(self, busy: set[int]) -> _Pending | None:
        """The oldest update not in flight whose chat has nothing in flight (webhook)."""
        return next(
            (
                p
                for p in self._pending
                if not p.delivered and self._is_allowed(p) and chat_of(p.update) not in busy
            ),
            None,
        )

    def has_for(self, busy: set[int]) -> bool:
        return self._next_for(busy) is not None

    def take_for(self, busy: set[int]) -> JsonDict | None:
        """Take the next update to post to the webhook (it stays queued until confirmed)."""
        pending = self._next_for(busy)
        if pending is None:
            return None
        pending.delivered = True
        return pending.update

    def confirm_one(self, update_id: int) -> None:
        """The webhook answered 2xx: the update is done."""
        self._pending = [p for p in self._pending if p.update_id != update_id]

    def close(self) -> None:
        self.closed = True
        self._signal.notify()
