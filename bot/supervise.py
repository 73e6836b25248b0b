"""Long-running tasks never stop silently: each is restarted with a growing pause after any
error, and every failure is logged (ids only, never the person's text)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

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


class Running:
    """The tasks doing some work right now (an update, a scheduler tick), so that shutdown can
    let them finish before the database closes: a connection still checked out then keeps
    its aiosqlite thread, and with it the whole process, alive."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self._tasks.add(task)
        try:
            yield
        finally:
            self._tasks.discard(task)

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109 - a bound, not a deadline
        """Let the running work finish; after `timeout` seconds, cancel what is left."""
        pending = self._tasks - {asyncio.current_task()}
        if not pending:
            return
        _done, late = await asyncio.wait(pending, timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            log.warning("%s tasks cut off at shutdown", len(late))
            await asyncio.wait(late, timeout=1)
