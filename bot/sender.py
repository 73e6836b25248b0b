"""The outbox sender: one task that delivers outbox rows to Telegram (see DESIGN.md, "Sending:
the transactional outbox"; the queries are in bot/outbox_rows.py, pacing in bot/pacing.py).

A row is claimed with a lease before it is sent, so that two senders never send the same row,
while a crash mid-send leaves it to be sent again once the lease runs out (at least once).
Every database change is its own short transaction. Database times come from the injected
clock; pacing is about the real Telegram server and uses real monotonic time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import timedelta
from typing import Any, cast

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import outbox_rows as rows
from bot.config import Settings
from bot.outbox_rows import Due
from bot.pacing import Monotonic, Pacer, PacerClosed, Sleep
from db.models import OutboxStatus
from services.clock import Clock
from services.offers import volunteer_unreachable
from services.rules import Rules

log = logging.getLogger(__name__)

Rendered = tuple[str, InlineKeyboardMarkup | None]  # text (HTML), keyboard
RenderFn = Callable[[str, dict[str, Any], str], Rendered]  # (kind, payload, locale)

BATCH = 100
MAX_IN_FLIGHT = 8  # enough that a slow round trip does not cap throughput below the limits
EDIT_WAIT = timedelta(seconds=2)  # how long an edit waits for its original to go out
MIN_IDLE = 0.05  # never spin: the shortest wait between two empty passes
_NOT_MODIFIED = "message is not modified"


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
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._sessions = sessions
        self._render = render
        self._clock = clock
        self._rules = rules
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._idle_poll = idle_poll_seconds
        self._locales = frozenset(available_locales)
        self._default = rules.default_locale
        self._lease = timedelta(seconds=lease_seconds)
        self._pacer = Pacer(
            rate_global=rate_global,
            rate_per_chat=rate_per_chat,
            group_per_minute=group_per_minute,
            max_in_flight=MAX_IN_FLIGHT,
            monotonic=monotonic,
            sleep=sleep,
        )
        self._write_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopping = False
        self._running = False
        self._stopped = asyncio.Event()

    def wake(self) -> None:
        """New rows may be due (called after every committed update)."""
        self._wake.set()

    async def run(self) -> None:
        self._stopping, self._running = False, True
        self._stopped.clear()
        self._pacer.open()
        try:
            while not self._stopping:
                self._wake.clear()  # a wake during the pass makes the idle wait return at once
                if not await self._safe_pass() and not self._stopping:
                    await self._idle()
        finally:
            self._running = False
            self._stopped.set()

    async def stop(self) -> None:
        """Send nothing new; waits only for sends already on the wire."""
        self._stopping = True
        self._pacer.close()
        self._wake.set()
        if self._running:
            await self._stopped.wait()

    async def drain(self) -> int:
        """Send everything due now; returns how many messages went out."""
        total = 0
        while not self._stopping:
            sent, found = await self._pass()
            total += sent
            if not found:
                break
        return total

    async def _safe_pass(self) -> bool:
        try:
            return (await self._pass())[1]
        except Exception:
            # Sends handle their own errors; this is the database failing (locked, restarting).
            # The sender must outlive it and try again after the idle wait.
            log.exception("outbox pass failed")
            return False

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
        claimed = await self._claim([row for row, _ in ready])
        sends = (self._send(row, claimed[row.id], text) for row, text in ready if row.id in claimed)
        results = await asyncio.gather(*sends, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum(cast(list[int], results)), True

    async def _prepare(self, row: Due) -> Rendered | None:
        """The message to send, or None when the row was dealt with without sending."""
        if row.reachable is False:
            await self._settle(row, status=OutboxStatus.UNREACHABLE, last_error="user unreachable")
            return None
        if row.edit_of is not None and row.target_status is not OutboxStatus.SENT:
            if row.target_status is OutboxStatus.PENDING:
                await self._settle(row, not_before=self._clock.now() + EDIT_WAIT)
            else:  # the original never went out: nothing to edit
                await self._settle(row, status=OutboxStatus.CANCELLED, last_error="no original")
            return None
        try:
            locale = rows.locale_for(row, self._locales, self._default)
            return self._render(row.kind, row.payload, locale)
        except Exception as exc:
            # A template or payload bug: park the row instead of retrying it or dying of it.
            log.exception("rendering outbox row %s failed", row.id)
            await self._fail(row, f"render: {exc!r}", attempts=row.attempts, claimed=False)
            return None

    async def _claim(self, due: Sequence[Due]) -> dict[int, Due]:
        """Lease the batch in one statement; returns the rows we won, as claimed."""
        until = self._clock.now() + self._lease
        async with self._transaction() as s:
            won = await rows.claim(s, due, until)
        return {row.id: replace(row, not_before=until) for row in due if row.id in won}

    async def _send(self, row: Due, claimed: Due, rendered: Rendered) -> int:
        try:
            async with self._pacer.slot(row.chat_id) as slot:
                if (current := await self._keep_lease(claimed)) is None:
                    slot.cancel()  # we waited so long that another sender took the row
                    return 0
                result = await self._attempt(current, rendered)
        except PacerClosed:  # stopping: hand the row back as it was, for the next start
            await self._settle(claimed, not_before=row.not_before)
            return 0
        return await self._record(current, result)

    async def _keep_lease(self, claimed: Due) -> Due | None:
        """Renew the lease if pacing (a long 429 pause, a group's minute) used half of it."""
        now = self._clock.now()
        if claimed.not_before - now > self._lease / 2:
            return claimed
        renewed = replace(claimed, not_before=now + self._lease)
        return renewed if await self._settle(claimed, not_before=renewed.not_before) else None

    async def _attempt(self, row: Due, rendered: Rendered) -> int | Exception:
        """The API call; returns the message id or the error to record."""
        try:
            return await self._call(row, rendered)
        except TelegramRetryAfter as exc:
            self._pacer.pause(exc.retry_after)  # before our slot frees: nobody sends meanwhile
            return exc
        except Exception as exc:
            # Whatever one send raises (bad request, 5xx, network, timeout, a client library
            # bug) costs that row an attempt, never the sender its life; _record sorts it out.
            return exc

    async def _call(self, row: Due, rendered: Rendered) -> int:
        text, markup = rendered
        if row.edit_of is None:
            message = await self._bot.send_message(row.chat_id, text, reply_markup=markup)
            return message.message_id
        if row.target_message_id is None:
            raise LookupError(f"outbox row {row.edit_of} was sent without a message id")
        try:
            await self._bot.edit_message_text(
                text, chat_id=row.chat_id, message_id=row.target_message_id, reply_markup=markup
            )
        except TelegramBadRequest as exc:
            if _NOT_MODIFIED not in exc.message:  # already says this: the edit is done
                raise
        return row.target_message_id

    async def _record(self, row: Due, result: int | Exception) -> int:
        now = self._clock.now()
        if isinstance(result, int):
            await self._update(row.id, status=OutboxStatus.SENT, message_id=result, sent_at=now)
            return 1
        error = f"{type(result).__name__}: {result}"[:2000]
        if isinstance(result, TelegramRetryAfter):
            retry_at = now + timedelta(seconds=result.retry_after)
            await self._update(row.id, not_before=retry_at, last_error=error)
        elif isinstance(result, TelegramForbiddenError):
            async with self._transaction() as s:
                await volunteer_unreachable(s, user_id=row.chat_id, rules=self._rules, now=now)
                await s.execute(
                    rows.by_id(row.id, status=OutboxStatus.UNREACHABLE, last_error=error)
                )
        elif row.attempts + 1 >= self._max_attempts:
            await self._fail(row, error, attempts=row.attempts + 1, claimed=True)
        else:
            backoff = timedelta(seconds=self._backoff * 2**row.attempts)
            await self._update(
                row.id, attempts=row.attempts + 1, not_before=now + backoff, last_error=error
            )
        return 0

    async def _fail(self, row: Due, error: str, *, attempts: int, claimed: bool) -> None:
        now, notify = self._clock.now(), self._rules.coordinator_chats()
        async with self._transaction() as s:
            await rows.park_failed(s, row, error, attempts, claimed=claimed, notify=notify, now=now)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        # One writer at a time from this process: concurrent sends would otherwise make SQLite
        # put each other to sleep in its busy handler, time that pacing counts against the rate.
        async with self._write_lock, self._sessions() as s, s.begin():
            yield s

    async def _settle(self, row: Due, **values: Any) -> bool:
        """Change a row nobody has touched since we read it; False if somebody did."""
        async with self._transaction() as s:
            return await rows.changed(s, rows.guarded(row, **values))

    async def _update(self, row_id: int, **values: Any) -> None:
        """Change a row we have claimed."""
        async with self._transaction() as s:
            await s.execute(rows.by_id(row_id, **values))


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
        idle_poll_seconds=settings.send_idle_poll_seconds,
        available_locales=available_locales,
        lease_seconds=settings.send_lease_seconds,
    )
