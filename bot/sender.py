"""The outbox sender: delivers outbox rows to Telegram, all through one pacer (see
docs/ARCHITECTURE.md, "The path of an outbox message"; the queries are in
services/outbox/queue.py, pacing in bot/pacing.py, the calls in bot/send_calls.py, what becomes
of each send in bot/ledger.py).

A row is claimed with a lease before it is sent, so that two senders never send the same row,
while a crash mid-send leaves it to be sent again once the lease runs out (at least once).
Every database change is its own short transaction, and nothing is sent while one is open.
An update's own answers are written already leased by the process that handles it, which hands
them to `deliver` right after the commit: they go out at once, ahead of everything else.
Database times come from the injected clock; pacing is about the real Telegram server and uses
real monotonic time.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any, cast

from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.ledger import Ledger
from bot.pacing import Monotonic, Pacer, PacerClosed, Sleep
from bot.send_calls import Prepared, Rendered, RenderFn, Uploaded, call, is_new_message, prepare
from bot.supervise import Backoff
from matching.status import Priority
from services.clock import Clock
from services.outbox import Due
from services.outbox import queue as rows
from services.rules import Rules

log = logging.getLogger(__name__)

__all__ = ["OutboxSender", "RenderFn", "Rendered", "sender_from_settings"]

BATCH = 100
# Sends in flight at once: enough that a round trip of ROUND_TRIP seconds does not cap the rate
# below the overall limit (8 at Telegram's 30 a second), and never more than MAX_IN_FLIGHT.
ROUND_TRIP = 0.25
MIN_IN_FLIGHT, MAX_IN_FLIGHT = 8, 64
MIN_IDLE = 0.05  # never spin: the shortest wait between two empty passes


class OutboxSender:
    def __init__(
        self,
        *,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        render: RenderFn,
        clock: Clock,
        rules: Rules,
        rate_global: float,
        rate_per_chat: float,
        group_per_minute: float,
        max_attempts: int,
        backoff_seconds: float,
        idle_poll_seconds: float,
        available_locales: Sequence[str],
        lease_seconds: float = 60,
        answer_lease_seconds: float = 10,
        backoff_max_seconds: float = 300,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._uploaded = Uploaded()  # files Telegram has: sent again by their file_id
        self._sessions = sessions
        self._render = render
        self._clock = clock
        self._backoff = backoff_seconds
        self._backoff_max = backoff_max_seconds
        self._ledger = Ledger(
            sessions, clock, rules, max_attempts, backoff=(backoff_seconds, backoff_max_seconds)
        )
        self._idle_poll = idle_poll_seconds
        self._locales = frozenset(available_locales)
        self._default = rules.default_locale
        self.lease = timedelta(seconds=lease_seconds)
        self.answer_lease = timedelta(seconds=answer_lease_seconds)
        self.pacer = Pacer(
            rate_global=rate_global,
            rate_per_chat=rate_per_chat,
            group_per_minute=group_per_minute,
            max_in_flight=in_flight_for(rate_global),
            monotonic=monotonic,
            sleep=sleep,
        )
        self._wake = asyncio.Event()
        self._stopping = False
        self._running = False
        self._stopped = asyncio.Event()
        # When the loop last finished a pass or an idle wait: a health check sees a stall.
        self.last_pass: datetime | None = None

    def wake(self) -> None:
        """New rows may be due (called after every committed update)."""
        self._wake.set()

    async def run(self) -> None:
        """Send until stopped. Nothing ends this loop but `stop`: any error is logged and the
        loop goes on after a growing pause (the database restarting, a bug in one pass)."""
        self._stopping, self._running = False, True
        self._stopped.clear()
        self.pacer.open()
        backoff = Backoff(self._backoff or 0.1, self._backoff_max)
        try:
            while not self._stopping:
                try:
                    await self._turn()
                except Exception:
                    delay = backoff.next()
                    log.exception("outbox sender pass failed; again in %.1f s", delay)
                    await self._pause(delay)
                else:
                    backoff.reset()
        finally:
            self._running = False
            self._stopped.set()

    async def _turn(self) -> None:
        self._wake.clear()  # a wake during the pass makes the idle wait return at once
        _sent, found = await self._pass()
        if not found and not self._stopping:
            await self._idle()
        self.last_pass = self._clock.now()

    async def stop(self) -> None:
        """Send nothing new; waits only for sends already on the wire."""
        self._stopping = True
        self.pacer.close()
        self._wake.set()
        if self._running:
            await self._stopped.wait()
        await self._ledger.close()

    async def settled(self) -> None:
        """Until every send so far is recorded."""
        await self._ledger.settled()

    async def drain(self) -> int:
        """Send everything due now; returns how many messages went out."""
        total = 0
        while not self._stopping:
            sent, found = await self._pass()
            total += sent
            if not found:
                break
        return total

    async def deliver(
        self, leased: Sequence[Due], calls: Sequence[TelegramMethod[Any]] | None = None
    ) -> int:
        """Send rows this process wrote already leased (an update's answers), in order, at the
        highest priority; `calls`, when given, are those rows' calls as made (no need to read
        them back from the payload). A row that cannot go out now stays for the loop."""
        sent = 0
        for n, row in enumerate(leased):
            prepared = calls[n] if calls is not None else await self._prepare(row)
            if prepared is not None:
                sent += await self._send(
                    row, row, prepared, Priority.INTERACTIVE, lease=self.answer_lease
                )
        return sent

    async def call(self, method: TelegramMethod[Any], chat_id: int) -> Any:
        """A call that is not worth an outbox row (a 'slow down' to a flooder): paced like
        everything else, at the highest priority; errors are the caller's."""
        async with self.pacer.slot(chat_id, Priority.INTERACTIVE):
            try:
                return await self._bot(method)
            except TelegramRetryAfter as exc:
                self.pacer.pause(exc.retry_after)
                raise

    async def _pause(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _idle(self) -> None:
        async with self._sessions() as s:
            next_due = await rows.next_due(s)
        timeout = self._idle_poll
        if next_due is not None:
            until = (next_due - self._clock.now()).total_seconds()
            timeout = min(timeout, max(MIN_IDLE, until))
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _pass(self) -> tuple[int, bool]:
        """One batch of due rows (one per chat), claimed together and sent concurrently.
        Returns (sent, found)."""
        async with self._sessions() as s:
            due = await rows.fetch_due(s, self._clock.now(), BATCH)
        if not due:
            return 0, False
        ready = [(row, text) for row in due if (text := await self._prepare(row)) is not None]
        claimed = await self._ledger.claim([row for row, _ in ready], self.lease)
        sends = (
            self._send(row, claimed[row.id], text, row.priority)
            for row, text in ready
            if row.id in claimed
        )
        results = await asyncio.gather(*sends, return_exceptions=True)
        await self.settled()  # the next pass must not find these rows due again
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum(cast(list[int], results)), True

    async def _prepare(self, row: Due) -> Prepared | None:
        """The message to send, or None when the row was dealt with without sending."""
        if not await self._ledger.still_to_send(row):
            return None
        try:
            return prepare(row, self._render, self._locales, self._default)
        except Exception as exc:
            # A template or payload bug: park the row instead of retrying it or dying of it.
            log.exception("rendering outbox row %s failed", row.id)
            await self._ledger.fail(row, f"render: {exc!r}", attempts=row.attempts)
            return None

    async def _send(
        self,
        row: Due,
        claimed: Due,
        prepared: Prepared,
        priority: int,
        *,
        lease: timedelta | None = None,
    ) -> int:
        new_message = is_new_message(row, prepared)
        try:
            async with self.pacer.slot(row.chat_id, priority, new_message=new_message) as slot:
                if (current := await self._ledger.keep_lease(claimed, lease or self.lease)) is None:
                    slot.cancel()  # we waited so long that another sender took the row
                    return 0
                result = await self._attempt(current, prepared)
        except PacerClosed:  # stopping: hand the row back as it was, for the next start
            await self._ledger.settle(claimed, not_before=row.not_before)
            return 0
        return await self._ledger.record(current, result)

    async def _attempt(self, row: Due, prepared: Prepared) -> int | Exception:
        """The API call; returns the message id or the error to record."""
        try:
            return await call(self._bot, row, prepared, self._uploaded)
        except TelegramRetryAfter as exc:
            self.pacer.pause(exc.retry_after)  # before our slot frees: nobody sends meanwhile
            return exc
        except Exception as exc:
            # Whatever one send raises (bad request, 5xx, network, timeout, a client library
            # bug) costs that row an attempt, never the sender its life; the ledger sorts it out.
            return exc


def sender_from_settings(
    settings: Settings,
    *,
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    render: RenderFn,
    clock: Clock,
    rules: Rules,
    available_locales: Sequence[str],
) -> OutboxSender:
    return OutboxSender(
        bot=bot,
        sessions=sessions,
        render=render,
        clock=clock,
        rules=rules,
        rate_global=settings.send_rate_global,
        rate_per_chat=settings.send_rate_per_chat,
        group_per_minute=settings.send_rate_group_per_minute,
        max_attempts=settings.send_max_attempts,
        backoff_seconds=settings.send_backoff_seconds,
        backoff_max_seconds=settings.send_backoff_max_seconds,
        idle_poll_seconds=settings.send_idle_poll_seconds,
        available_locales=available_locales,
        lease_seconds=settings.send_lease_seconds,
        answer_lease_seconds=settings.answer_lease_seconds,
    )


def in_flight_for(rate_global: float) -> int:
    """How many sends may be under way at once for an overall rate of `rate_global` a second."""
    return max(MIN_IN_FLIGHT, min(MAX_IN_FLIGHT, math.ceil(rate_global * ROUND_TRIP)))
