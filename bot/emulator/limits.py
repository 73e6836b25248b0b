"""Telegram's flood limits as rolling windows, and on-demand faults."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.emulator.models import ApiError

Clock = Callable[[], float]


def _too_many(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


class RateLimiter:
    """Rolling-window limits on sending calls.

    Telegram's overall limit (about 30 per second) is its limit on bulk notifications: it
    counts new messages. An edit answers a person in their own chat and counts in that chat's
    window only.

    The attributes may be changed while the emulator runs; windows are evaluated lazily on each
    call, so a new number takes effect with the next request.
    """

    def __init__(
        self,
        global_rate: int = 30,
        per_chat_rate: int = 1,
        group_per_minute: int = 20,
        *,
        enabled: bool = True,
        clock: Clock = time.monotonic,
    ) -> None:
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.group_per_minute = group_per_minute
        self.enabled = enabled
        self._clock = clock
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def check(self, chat_id: int, *, is_group: bool, new_message: bool = True) -> None:
        """Raise a 429 ApiError if one more send to ``chat_id`` would exceed a limit."""
        if not self.enabled:
            return
        now = self._clock()
        if new_message:
            self._check_window(self._global, self.global_rate, 1.0, now)
        chat_window = self._per_chat.setdefault(chat_id, deque())
        if is_group:
            self._check_window(chat_window, self.group_per_minute, 60.0, now)
        else:
            self._check_window(chat_window, self.per_chat_rate, 1.0, now)

    def record(self, chat_id: int, *, new_message: bool = True) -> None:
        """Count an accepted send; rejected calls never get here, as with Telegram."""
        now = self._clock()
        if new_message:
            self._global.append(now)
        self._per_chat.setdefault(chat_id, deque()).append(now)

    @staticmethod
    def _check_window(window: deque[float], limit: int, span: float, now: float) -> None:
        # Keep a minute of history for every chat so that switching a chat between the 1 s and
        # the 60 s rule, or raising a limit mid-run, still sees the true recent past.
        while window and window[0] <= now - 60.0:
            window.popleft()
        recent = [t for t in window if t > now - span]
        if limit <= 0:
            raise _too_many(math.ceil(span))
        if len(recent) < limit:
            return
        # The window frees up once the oldest send that still blocks us has aged out.
        blocking = recent[len(recent) - limit]
        raise _too_many(max(1, math.ceil(blocking + span - now)))


@dataclass
class _Fault:
    error_code: int
    description: str
    retry_after: int | None
    remaining: int


class FaultInjector:
    """Queued failures per method, consumed one call at a time."""

    def __init__(self) -> None:
        self._faults: dict[str, deque[_Fault]] = {}

    def add(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        fault = _Fault(error_code, description, retry_after, count)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    def take(self, method: str) -> ApiError | None:
        queue = self._faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return ApiError(fault.error_code, fault.description, fault.retry_after)

    def clear(self) -> None:
        self._faults.clear()
