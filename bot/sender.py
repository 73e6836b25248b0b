"""The outbox sender: delivers outbox rows to Telegram, all through one pacer (see DESIGN.md,
"Sending: the transactional outbox and one pacer"; the queries are in bot/outbox_rows.py,
pacing in bot/pacing.py).

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
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.methods import TelegramMethod
from aiogram.types import InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import outbox_rows as rows
from bot.config import Settings
from bot.outbox_rows import Due
from bot.pacing import Monotonic, Pacer, PacerClosed, Sleep
from bot.replies import restore
from bot.supervise import Backoff
from db.models import OutboxStatus
from matching.status import Priority
from services.answers import mark_volunteer_unreachable
from services.clock import Clock
from services.notices import Notice
from services.rules import Rules

log = logging.getLogger(__name__)

Rendered = tuple[str, InlineKeyboardMarkup | None]  # text (HTML), keyboard
RenderFn = Callable[[str, dict[str, Any], str], Rendered]  # (kind, payload, locale)
Prepared = Rendered | TelegramMethod[Any]

BATCH = 100
MAX_IN_FLIGHT = 8  # enough that a slow round trip does not cap throughput below the limits
EDIT_WAIT = timedelta(seconds=2)  # how long an edit waits for its original to go out
MIN_IDLE = 0.05  # never spin: the shortest wait between two empty passes
RECORD_WAIT = 10.0  # how long stopping waits to record what was sent
_NOT_MODIFIED = "message is not modified"
# Telegram refuses these for good: sending the same again cannot succeed. Everything else
# (network, timeouts, 5xx, a bad token) is retried until the message is stale.
PERMANENT = (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge, TelegramConflictError)


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
        self._sessions = sessions
        self._render = render
        self._clock = clock
        self._rules = rules
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._backoff_max = backoff_max_seconds
        self._idle_poll = idle_poll_seconds
        self._locales = frozenset(available_locales)
        self._default = rules.default_locale
        self.lease = timedelta(seconds=lease_seconds)
        self.answer_lease = timedelta(seconds=answer_lease_seconds)
        self.pacer = Pacer(
            rate_global=rate_global,
            rate_per_chat=rate_per_chat,
            group_per_minute=group_per_minute,
            max_in_flight=MAX_IN_FLIGHT,
            monotonic=monotonic,
            sleep=sleep,
        )
        self._wake = asyncio.Event()
        self._stopping = False
        self._running = False
        self._stopped = asyncio.Event()
        # When the loop last finished a pass or an idle wait: a health check sees a stall.
        self.last_pass: datetime | None = None
        # Sent rows waiting to be recorded, and the task recording them (see _mark_sent).
        self._sent: list[dict[str, Any]] = []
        self._recording: asyncio.Task[None] | None = None

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
        try:
            await asyncio.wait_for(self.settled(), RECORD_WAIT)
        except TimeoutError:  # the database is gone: those rows go out once more next start
            if self._recording is not None:
                self._recording.cancel()
            log.warning("stopping without recording %s sent rows", len(self._sent))

    async def settled(self) -> None:
        """Until every send so far is recorded."""
        while self._recording is not None and not self._recording.done():
            await asyncio.shield(self._recording)

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
        claimed = await self._claim([row for row, _ in ready])
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
        if row.reachable is False:
            await self._settle(row, status=OutboxStatus.UNREACHABLE, last_error="user unreachable")
            return None
        if row.expires_at is not None and row.expires_at <= self._clock.now():
            await self._settle(row, status=OutboxStatus.EXPIRED, last_error="stale")
            return None
        if row.edit_of is not None and row.target_status is not OutboxStatus.SENT:
            if row.target_status is OutboxStatus.PENDING:
                await self._settle(row, not_before=self._clock.now() + EDIT_WAIT)
            else:  # the original never went out: nothing to edit
                await self._settle(row, status=OutboxStatus.CANCELLED, last_error="no original")
            return None
        try:
            if row.kind == Notice.ANSWER:
                return restore(row.payload)
            locale = rows.locale_for(row, self._locales, self._default)
            return self._render(row.kind, row.payload, locale)
        except Exception as exc:
            # A template or payload bug: park the row instead of retrying it or dying of it.
            log.exception("rendering outbox row %s failed", row.id)
            await self._fail(row, f"render: {exc!r}", attempts=row.attempts)
            return None

    async def _claim(self, due: Sequence[Due]) -> dict[int, Due]:
        """Lease the batch in one statement; returns the rows we won, as claimed."""
        until = self._clock.now() + self.lease
        async with self._sessions() as s, s.begin():
            won = await rows.claim(s, due, until)
        return {row.id: replace(row, not_before=until) for row in due if row.id in won}

    async def _send(
        self,
        row: Due,
        claimed: Due,
        prepared: Prepared,
        priority: int,
        *,
        lease: timedelta | None = None,
    ) -> int:
        new_message = _is_new_message(row, prepared)
        try:
            async with self.pacer.slot(row.chat_id, priority, new_message=new_message) as slot:
                if (current := await self._keep_lease(claimed, lease or self.lease)) is None:
                    slot.cancel()  # we waited so long that another sender took the row
                    return 0
                result = await self._attempt(current, prepared)
        except PacerClosed:  # stopping: hand the row back as it was, for the next start
            await self._settle(claimed, not_before=row.not_before)
            return 0
        return await self._record(current, result)

    async def _keep_lease(self, claimed: Due, lease: timedelta) -> Due | None:
        """Renew the lease if pacing (a long 429 pause, a group's minute) used half of it."""
        now = self._clock.now()
        if claimed.not_before - now > lease / 2:
            return claimed
        renewed = replace(claimed, not_before=now + lease)
        return renewed if await self._settle(claimed, not_before=renewed.not_before) else None

    async def _attempt(self, row: Due, prepared: Prepared) -> int | Exception:
        """The API call; returns the message id or the error to record."""
        try:
            return await self._call(row, prepared)
        except TelegramRetryAfter as exc:
            self.pacer.pause(exc.retry_after)  # before our slot frees: nobody sends meanwhile
            return exc
        except Exception as exc:
            # Whatever one send raises (bad request, 5xx, network, timeout, a client library
            # bug) costs that row an attempt, never the sender its life; _record sorts it out.
            return exc

    async def _call(self, row: Due, prepared: Prepared) -> int:
        if isinstance(prepared, TelegramMethod):
            return await self._call_method(prepared)
        text, markup = prepared
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

    async def _call_method(self, method: TelegramMethod[Any]) -> int:
        try:
            result = await self._bot(method)
        except TelegramBadRequest as exc:
            if _NOT_MODIFIED in exc.message:  # a double tap: the message already says this
                return int(getattr(method, "message_id", None) or 0)
            raise
        if isinstance(result, Message):
            return result.message_id
        return int(getattr(method, "message_id", None) or 0)

    async def _record(self, row: Due, result: int | Exception) -> int:
        now = self._clock.now()
        if isinstance(result, int):
            self._mark_sent(row.id, result, now)
            return 1
        error = f"{type(result).__name__}: {result}"[:2000]
        if isinstance(result, TelegramRetryAfter):
            retry_at = now + timedelta(seconds=result.retry_after)
            await self._update(row.id, not_before=retry_at, last_error=error)
        elif isinstance(result, TelegramForbiddenError):
            async with self._sessions() as s, s.begin():
                await mark_volunteer_unreachable(s, user_id=row.chat_id, rules=self._rules, now=now)
                await s.execute(
                    rows.by_id(row.id, status=OutboxStatus.UNREACHABLE, last_error=error)
                )
        elif isinstance(result, PERMANENT) or (
            not _transient(result) and row.attempts + 1 >= self._max_attempts
        ):
            log.warning("outbox row %s to chat %s parked: %s", row.id, row.chat_id, error)
            await self._fail(row, error, attempts=row.attempts + 1, claimed=True)
        else:
            backoff = min(self._backoff * 2**row.attempts, self._backoff_max)
            await self._update(
                row.id,
                attempts=row.attempts + 1,
                not_before=now + timedelta(seconds=backoff),
                last_error=error,
            )
        return 0

    def _mark_sent(self, row_id: int, message_id: int, now: datetime) -> None:
        """Sent rows are recorded in batches, by a task of their own: whoever sent them need
        not wait, and one transaction records all that went out meanwhile. Until then the row
        keeps its lease, so nobody sends it again (after a crash: once more, at most)."""
        self._sent.append({"row_id": row_id, "mid": message_id, "at": now})
        if self._recording is None or self._recording.done():
            self._recording = asyncio.create_task(self._record_sent(), name="outbox-record")

    async def _record_sent(self) -> None:
        backoff = Backoff(0.05, 5.0)
        while self._sent:
            await asyncio.sleep(0)  # sends finishing right now join this batch
            batch, self._sent = self._sent, []
            try:
                async with self._sessions() as s, s.begin():
                    await rows.mark_sent(s, batch)
            except Exception:
                self._sent = batch + self._sent
                delay = backoff.next()
                log.exception("recording %s sent rows failed; again in %.2f s", len(batch), delay)
                await asyncio.sleep(delay)

    async def _fail(self, row: Due, error: str, *, attempts: int, claimed: bool = False) -> None:
        now, notify = self._clock.now(), self._rules.coordinator_chats()
        async with self._sessions() as s, s.begin():
            await rows.park_failed(s, row, error, attempts, claimed=claimed, notify=notify, now=now)

    async def _settle(self, row: Due, **values: Any) -> bool:
        """Change a row nobody has touched since we read it; False if somebody did."""
        async with self._sessions() as s, s.begin():
            return await rows.changed(s, rows.guarded(row, **values))

    async def _update(self, row_id: int, **values: Any) -> None:
        """Change a row we have claimed."""
        async with self._sessions() as s, s.begin():
            await s.execute(rows.by_id(row_id, **values))


def _transient(error: Exception) -> bool:
    """Telegram's own errors that are not permanent: network, timeouts, 5xx, a bad token."""
    return isinstance(error, TelegramAPIError | TelegramNetworkError | TimeoutError | OSError)


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


def _is_new_message(row: Due, prepared: Prepared) -> bool:
    """Whether the call posts a new message (which counts against Telegram's overall rate)
    rather than editing or deleting one."""
    if isinstance(prepared, TelegramMethod):
        return prepared.__api_method__.startswith("send")
    return row.edit_of is None
