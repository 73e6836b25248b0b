"""Racing two transactions for real, on PostgreSQL as much as on SQLite.

Two coroutines under `asyncio.gather` overlap only by chance: one may commit before the other
has read anything, and a broken transition then passes. `Overlap` removes the chance. Each
racer's first statement that writes or locks a row (INSERT, UPDATE, DELETE, SELECT ... FOR
UPDATE; optionally only on some tables) waits until every racer has reached its own, or has
finished without one. So both have read the state they act on before either changes it: the
interleaving in which a read-then-write transition loses an update.

No racer holds a row lock while it waits (its first locking statement is the one held back),
so the wait cannot deadlock, unless a racer took a lock on a table left out of `tables`, or
waits outside the database for the other (one chat's updates queue in bot/throttle.py): then
the wait ends in an AssertionError after GATE_TIMEOUT. SQLite needs none of it: its writers
take turns (one connection per process and BEGIN IMMEDIATE, db/engine.py), so on SQLite the
racers run one after the other, in an order the test does not choose.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

T = TypeVar("T")
_WRITE = re.compile(r"^\s*(?:insert\s+into|update|delete\s+from)\s+\"?(\w+)", re.IGNORECASE)
_LOCK = re.compile(r"\bfrom\s+\"?(\w+).*\bfor\s+update\b", re.IGNORECASE | re.DOTALL)
GATE_TIMEOUT = 10.0


class Overlap:
    """Hold back each racer's first locking statement until all racers got that far."""

    def __init__(self, engine: AsyncEngine, racers: int, tables: Iterable[str] = ()) -> None:
        self._engine = engine
        self._racers = racers
        self._tables = frozenset(tables)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._waited: set[asyncio.Task[Any]] = set()
        self._ended = 0
        self._open = asyncio.Event()
        # True once every racer had reached its first write before any of them went on.
        self.overlapped = False
        self.enabled = engine.dialect.name == "postgresql"

    async def __aenter__(self) -> Overlap:
        if self.enabled:
            event.listen(self._engine.sync_engine, "before_cursor_execute", self._before)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.enabled:
            event.remove(self._engine.sync_engine, "before_cursor_execute", self._before)

    async def run(self, racer: Awaitable[T]) -> T:
        """Run one racer; call it once per racer, all under one `asyncio.gather`."""
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            return await racer
        finally:
            if task not in self._waited:
                self._ended += 1
                self._check()

    def _check(self) -> None:
        if len(self._waited) + self._ended >= self._racers and not self._open.is_set():
            self.overlapped = len(self._waited) == self._racers
            self._open.set()

    def _locks(self, statement: str) -> bool:
        match = _WRITE.match(statement) or _LOCK.search(statement)
        return match is not None and (not self._tables or match.group(1) in self._tables)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        task = asyncio.current_task()
        if task not in self._tasks or task in self._waited or not self._locks(statement):
            return
        self._waited.add(task)
        self._check()
        try:
            await_(asyncio.wait_for(self._open.wait(), GATE_TIMEOUT))
        except TimeoutError:
            raise AssertionError(
                "a racer never reached its first locking statement: it probably waits for a "
                "lock this one took on a table outside `tables`"
            ) from None


async def race(
    engine: AsyncEngine, *racers: Callable[[], Awaitable[T]], tables: Iterable[str] = ()
) -> tuple[list[T], bool]:
    """Run the racers at once with forced overlap; their results in order, and whether they
    overlapped (always on PostgreSQL, never on SQLite)."""
    async with Overlap(engine, len(racers), tables) as gate:
        results = await asyncio.gather(*(gate.run(racer()) for racer in racers))
    return list(results), gate.overlapped
