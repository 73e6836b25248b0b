"""Several bot processes on one PostgreSQL database: one outbox sender at a time.

Telegram's limits (about 30 new messages a second, one a second per chat) hold for the bot, not
for a process; only one pacer can keep them. So of all processes exactly one sends: the one that
holds a session-level advisory lock on a connection of its own. The lock goes when that
connection goes (a process stopped, killed or cut off), and a process standing by takes it
within `retry_seconds`. The others still handle updates: their answers are written to the
outbox due at once (not leased to themselves), and a NOTIFY wakes the sender, which sends them
ahead of everything else (see docs/ARCHITECTURE.md, "Several processes").

`Leadership` is what the unit of work and the scheduler see instead of the sender (the same
`Delivery`): it hands over to the sender while this process leads, and nudges the leader
otherwise. On SQLite (one process) it is not used at all.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from datetime import timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from aiogram.methods import TelegramMethod
from sqlalchemy.engine import make_url

from bot.sender import OutboxSender
from services.outbox import Due

log = logging.getLogger(__name__)

LOCK_KEY = 0x4C6F747365  # "Lotse": the advisory lock of the one outbox sender
CHANNEL = "lotse_outbox"  # NOTIFY: new rows are due, wake the sender
NO_LEASE = timedelta(0)
# A new sender waits this long before its first send: what the one before it sent in the last
# second (Telegram's window overall and per chat) is unknown to it.
TAKEOVER_PAUSE = 1.1

Connect = Callable[[], Awaitable[asyncpg.Connection]]


def connector(database_url: str) -> Connect | None:
    """A plain asyncpg connection to the database of a SQLAlchemy URL, outside the pool: it
    lives as long as this process leads (or stands by). None on SQLite: one process only."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    dsn = url.set(drivername="postgresql").render_as_string(False)

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(dsn, timeout=10)

    return connect


class Leadership:
    def __init__(
        self,
        sender: OutboxSender,
        connect: Connect,
        *,
        retry_seconds: float = 3.0,
        check_seconds: float = 2.0,
        takeover_pause: float = TAKEOVER_PAUSE,
    ) -> None:
        self._sender = sender
        self._connect = connect
        self._retry = retry_seconds
        self._check = check_seconds
        self._takeover_pause = takeover_pause
        self.leading = False
        self.elected = asyncio.Event()  # set while this process is the sender
        self._nudge = asyncio.Event()  # standing by: rows were written, tell the leader
        self._stop = asyncio.Event()

    # --- the Delivery the unit of work and the scheduler see ---------------------------------

    @property
    def answer_lease(self) -> timedelta:
        """Leading, an update's answers are leased to us and sent at once; standing by, they
        are due at once for the leader."""
        return self._sender.answer_lease if self.leading else NO_LEASE

    async def deliver(
        self, leased: Sequence[Due], calls: Sequence[TelegramMethod[Any]] | None = None
    ) -> int:
        if self.leading:
            return await self._sender.deliver(leased, calls)
        self.wake()
        return 0

    async def call(self, method: TelegramMethod[Any], chat_id: int) -> Any:
        return await self._sender.call(method, chat_id)

    def wake(self) -> None:
        if self.leading:
            self._sender.wake()
        else:
            self._nudge.set()

    # --- the election ------------------------------------------------------------------------

    async def run(self) -> None:
        """Stand by or lead until stopped; a lost connection ends a term (supervised: the
        next attempt follows after a pause)."""
        while not self._stop.is_set():
            conn = await self._connect()
            try:
                await self._term(conn)
            finally:
                await _close(conn)

    async def stop(self) -> None:
        self._stop.set()
        self._nudge.set()
        await self._sender.stop()

    async def _term(self, conn: asyncpg.Connection) -> None:
        while not self._stop.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
                await self._lead(conn)
                return
            await self._stand_by(conn)

    async def _stand_by(self, conn: asyncpg.Connection) -> None:
        """Until the next try for the lock, pass every nudge on to the leader."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._retry
        while not self._stop.is_set() and (left := deadline - loop.time()) > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._nudge.wait(), left)
            if self._nudge.is_set() and not self._stop.is_set():
                self._nudge.clear()
                await conn.execute("SELECT pg_notify($1, '')", CHANNEL)

    async def _lead(self, conn: asyncpg.Connection) -> None:
        await conn.add_listener(CHANNEL, self._heard)
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), self._takeover_pause)
        self.leading = True
        self.elected.set()
        log.info("process %s is now the outbox sender", os.getpid())
        sending = asyncio.create_task(self._sender.run(), name="outbox-sender-loop")
        try:
            while not self._stop.is_set() and not sending.done():
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self._check)
                async with asyncio.timeout(self._check):
                    await conn.fetchval("SELECT 1")  # the lock lives as long as this connection
        finally:
            self.leading = False
            self.elected.clear()
            await self._sender.stop()
            sending.cancel()
            with suppress(asyncio.CancelledError):
                await sending
            if not self._stop.is_set():
                self._sender.pacer.open()  # standing by, files and "slow down" still go out
            log.info("process %s stopped being the outbox sender", os.getpid())

    def _heard(self, *_args: object) -> None:
        self._sender.wake()


async def _close(conn: asyncpg.Connection) -> None:
    """Closing the connection releases the lock; a dead one is dropped without a goodbye."""
    try:
        async with asyncio.timeout(2):
            await conn.close()
    except Exception:
        conn.terminate()
