"""Long-running tasks never stop silently: each is restarted with a growing pause after any
error, and every failure is logged (ids only, never the person's text)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Backoff:
    """Pauses that double from `first` up to `cap`, and start again after a success."""

    def __init__(self, first: float, cap: float) -> None:
        self._first, self._cap = max(first, 0.01), max(cap, first)
        self._next = self._first

    def next(self) -> float:
        delay, self._next = self._next, min(self._next * 2, self._cap)
        return delay

    def reset(self) -> None:
        self._next = self._first


def supervised(
    name: str,
    run: Callable[[], Awaitable[None]],
    *,
    first: float = 1.0,
    cap: float = 60.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> asyncio.Task[None]:
    """Run `run` as a task that is started again whenever it fails, until it returns (asked to
    stop) or is cancelled."""

    async def loop() -> None:
        backoff = Backoff(first, cap)
        while True:
            try:
                await run()
                return
            except Exception:
                log.exception("task %s failed; starting it again", name)
            await sleep(backoff.next())

    return asyncio.create_task(loop(), name=name)
