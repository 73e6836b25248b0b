"""Pacing outgoing sends under Telegram's flood limits: rolling windows on real (monotonic) time.

Telegram counts a send when its server handles the request, somewhere between the moment we
start the HTTP call and the moment the answer arrives. A window therefore holds a send as
"in flight" from the start of the call and remembers it with the time the answer arrived: the
next send that needs its place starts at least one full window after the server can have
counted it, whatever the network delay. A small margin on top absorbs timer granularity.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

SAFETY_MARGIN = 0.005  # seconds added to every window: timer granularity, float rounding
# Sends are spread over the window rather than fired in bursts: overlapping calls slow each
# other down, and a window counts every send until its answer is in.
SPREAD = 0.9  # minimum gap between two sends, as a fraction of window / limit
GROUP_WINDOW = 60.0
_FORGET_EVERY = 256  # acquisitions between sweeps of idle per-chat windows


class PacerClosed(Exception):
    """The pacer was closed while waiting: the sender is stopping, send nothing more."""


class SlidingWindow:
    """At most `limit` sends in any `span` seconds, counting sends still in flight."""

    def __init__(self, limit: int, span: float) -> None:
        if limit < 1 or span <= 0:
            raise ValueError("a window needs a positive limit and span")
        self.limit = limit
        self.span = span
        self.in_flight = 0
        self.waiting = 0  # acquirers holding on to this window while they wait for a place
        self._done: deque[float] = deque()  # answer times, ascending: appended as they happen

    @classmethod
    def for_rate(cls, count: float, per: float, margin: float = SAFETY_MARGIN) -> SlidingWindow:
        """`count` sends per `per` seconds. Less than one send per window becomes one send per
        per/count seconds, so that fractional settings still mean what they say."""
        limit = math.floor(count + 1e-9)
        if limit >= 1:
            return cls(limit, per + margin)
        return cls(1, per / count + margin)

    def delay(self, now: float) -> float | None:
        """Seconds until one more send may start; None while only a running send can free a
        place (its answer time is not known yet)."""
        while self._done and self._done[0] <= now - self.span:
            self._done.popleft()
        occupied = self.in_flight + len(self._done)
        if occupied < self.limit:
            return 0.0
        if self.in_flight >= self.limit:
            return None
        # The oldest `occupied - limit + 1` finished sends must age out of the window.
        return self._done[occupied - self.limit] + self.span - now

    def reserve(self) -> None:
        self.in_flight += 1

    def release(self, now: float) -> None:
        self.in_flight -= 1
        self._done.append(now)

    def cancel(self) -> None:
        """A reserved send that never happened takes no place."""
        self.in_flight -= 1

    def idle(self, now: float) -> bool:
        free = self.delay(now) == 0.0 and self.in_flight == 0 and not self._done
        return free and self.waiting == 0


class PriorityGate:
    """A lock whose waiters are served by priority (lower first), then in arrival order."""

    def __init__(self) -> None:
        self._held = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    @asynccontextmanager
    async def hold(self, priority: int) -> AsyncIterator[None]:
        if self._held or self._waiters:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiters, (priority, next(self._seq), waiter))
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._hand_over()  # we were given the gate just as we were cancelled
                raise
        self._held = True
        try:
            yield
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        # The gate passes straight to the next waiter, so that nobody can barge in between.
        while self._waiters:
            _priority, _seq, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                waiter.set_result(None)
                return
        self._held = False


class Pacer:
    """Grants send slots: overall, per private chat and per group, plus a bound on concurrency
    and a global pause after a 429. Waiting sends go out by priority (lower first): one pacer
    per process serves interactive answers and the outbox alike."""

    def __init__(
        self,
        *,
        rate_global: float,
        rate_per_chat: float,
        group_per_minute: float,
        max_in_flight: int = 8,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._global = SlidingWindow.for_rate(rate_global, 1.0)
        self._gap = SPREAD * self._global.span / self._global.limit
        self._last_start = -math.inf
        self._rate_per_chat = rate_per_chat
        self._group_per_minute = group_per_minute
        self._chats: dict[int, SlidingWindow] = {}
        self._max_in_flight = max_in_flight
        self._now = monotonic
        self._sleep = sleep
        self._paused_until = -math.inf
        self._gate = PriorityGate()
        self._changed = asyncio.Event()
        self._closed = asyncio.Event()
        self._acquired = 0
        self.retry_afters = 0  # 429s seen by this process (every one comes here): /metrics

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds`."""
        self.retry_afters += 1
        self._paused_until = max(self._paused_until, self._now() + seconds)

    def close(self) -> None:
        self._closed.set()

    def open(self) -> None:
        self._closed.clear()

    @property
    def paused_for(self) -> float:
        """Seconds left of the pause after a 429 (0 when not paused)."""
        return max(0.0, self._paused_until - self._now())

    @asynccontextmanager
    async def slot(
        self, chat_id: int, priority: int = 2, *, new_message: bool = True
    ) -> AsyncIterator[Slot]:
        """Wait for a place to send to `chat_id`; the send happens inside the block. Only a
        new message counts against the overall rate (Telegram's limit on bulk notifications);
        an edit, which answers a person in their own chat, counts in that chat only."""
        await self._acquire(chat_id, priority, new_message)
        slot = Slot()
        try:
            yield slot
        finally:
            self._finish(chat_id, used=not slot.unused, new_message=new_message)

    async def _acquire(self, chat_id: int, priority: int, new_message: bool) -> None:
        chat = self._chat(chat_id)
        # While we wait, the window must stay the chat's: were it forgotten as idle, another
        # send to the chat would start a fresh one and the two would not see each other.
        chat.waiting += 1
        try:
            # Wait for the chat's own window first without the lock, so that one chat waiting
            # for its next second does not hold up sends to everybody else.
            while (wait := chat.delay(self._now())) != 0.0:
                await self._wait(wait)
            async with self._gate.hold(priority):  # one waiter at a time, most urgent first
                while (wait := self._delay(chat, self._now(), new_message)) != 0.0:
                    await self._wait(wait)
                chat.reserve()
                if new_message:
                    self._global.reserve()
                    self._last_start = self._now()
        finally:
            chat.waiting -= 1
        self._acquired += 1
        if self._acquired % _FORGET_EVERY == 0:
            self._forget_idle_chats()

    def _delay(self, chat: SlidingWindow, now: float, new_message: bool) -> float | None:
        waits: list[float | None] = [self._paused_until - now, chat.delay(now)]
        if new_message:
            waits += [self._last_start + self._gap - now, self._global.delay(now)]
            if self._global.in_flight >= self._max_in_flight:
                waits.append(None)
        known = [wait for wait in waits if wait is not None]
        longest = max(known, default=0.0)
        if longest > 0:
            return longest
        return None if len(known) < len(waits) else 0.0

    async def _wait(self, delay: float | None) -> None:
        if self._closed.is_set():
            raise PacerClosed
        # A known delay is exact (finishing sends never shorten it); None waits for a finish.
        waiter = self._changed.wait() if delay is None else self._sleep(delay)
        tasks = {asyncio.ensure_future(waiter), asyncio.ensure_future(self._closed.wait())}
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
        if self._closed.is_set():
            raise PacerClosed

    def _finish(self, chat_id: int, *, used: bool, new_message: bool) -> None:
        chat = self._chat(chat_id)
        if used:
            now = self._now()
            chat.release(now)
            if new_message:
                self._global.release(now)
        else:
            chat.cancel()
            if new_message:
                self._global.cancel()
        self._changed.set()
        self._changed = asyncio.Event()

    def _chat(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if chat_id < 0:
                window = SlidingWindow.for_rate(self._group_per_minute, GROUP_WINDOW)
            else:
                window = SlidingWindow.for_rate(self._rate_per_chat, 1.0)
            self._chats[chat_id] = window
        return window

    def _forget_idle_chats(self) -> None:
        now = self._now()
        for chat_id in [cid for cid, window in self._chats.items() if window.idle(now)]:
            del self._chats[chat_id]


class Slot:
    """A granted place; mark it unused when nothing was sent after all."""

    def __init__(self) -> None:
        self.unused = False

    def cancel(self) -> None:
        self.unused = True
