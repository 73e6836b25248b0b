"""The sender's writes to the outbox (the sender is bot/sender.py): claiming rows and keeping
their leases, settling rows that need no sending, and recording what became of each send.

Sent rows are recorded in batches by a task of their own; a failure costs the row an attempt,
parks it for good, or, after a 403, marks its reader unreachable. Every change is its own short
transaction.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

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
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.supervise import Backoff
from db.models import OutboxStatus
from matching.status import Priority
from services.clock import Clock
from services.leaving import mark_volunteer_unreachable
from services.outbox import Due
from services.outbox import queue as rows
from services.roles import coordinator_chats
from services.rules import Rules

log = logging.getLogger(__name__)

EDIT_WAIT = timedelta(seconds=2)  # how long an edit waits for its original to go out
RECORD_WAIT = 10.0  # how long stopping waits to record what was sent
# Telegram refuses these for good: sending the same again cannot succeed. Everything else
# (network, timeouts, 5xx, a bad token) is retried until the message is stale.
PERMANENT = (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge, TelegramConflictError)


class Ledger:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        rules: Rules,
        max_attempts: int,
        *,
        backoff: tuple[float, float],  # seconds after the first failure, at most
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._rules = rules
        self._max_attempts = max_attempts
        self._backoff, self._backoff_max = backoff
        # Sent rows waiting to be recorded, and the task recording them (see mark_sent).
        self._sent: list[dict[str, Any]] = []
        self._recording: asyncio.Task[None] | None = None

    async def claim(self, due: Sequence[Due], lease: timedelta) -> dict[int, Due]:
        """Lease the batch in one statement; returns the rows we won, as claimed."""
        until = self._clock.now() + lease
        async with self._sessions() as s, s.begin():
            won = await rows.claim(s, due, until)
        return {row.id: replace(row, not_before=until) for row in due if row.id in won}

    async def keep_lease(self, claimed: Due, lease: timedelta) -> Due | None:
        """Renew the lease if pacing (a long 429 pause, a group's minute) used half of it. A
        bulk row (a broadcast, a reminder) is renewed always, right before it goes out: one
        cancelled meanwhile (services/broadcasts.py) is not sent."""
        now = self._clock.now()
        if claimed.priority < Priority.BULK and claimed.not_before - now > lease / 2:
            return claimed
        renewed = replace(claimed, not_before=now + lease)
        settled = await self.settle(claimed, not_before=renewed.not_before)
        return renewed if settled else None

    async def still_to_send(self, row: Due) -> bool:
        """False when the row was dealt with without sending (unreachable, stale, an edit
        whose original has not gone out)."""
        settle = self.settle
        if row.reachable is False:
            await settle(row, status=OutboxStatus.UNREACHABLE, last_error="user unreachable")
            return False
        if row.expires_at is not None and row.expires_at <= self._clock.now():
            await settle(row, status=OutboxStatus.EXPIRED, last_error="stale")
            return False
        if row.edit_of is not None and row.target_status is not OutboxStatus.SENT:
            if row.target_status is OutboxStatus.PENDING:
                await settle(row, not_before=self._clock.now() + EDIT_WAIT)
            else:  # the original never went out: nothing to edit
                await settle(row, status=OutboxStatus.CANCELLED, last_error="no original")
            return False
        return True

    async def record(self, row: Due, result: int | Exception) -> int:
        """Write down a send's message id or its error; returns how many went out (0 or 1)."""
        now = self._clock.now()
        if isinstance(result, int):
            self.mark_sent(row.id, result, now)
            return 1
        error = f"{type(result).__name__}: {result}"[:2000]
        if isinstance(result, TelegramRetryAfter):
            retry_at = now + timedelta(seconds=result.retry_after)
            await self.update(row.id, not_before=retry_at, last_error=error)
        elif isinstance(result, TelegramForbiddenError):
            await self._unreachable(row, error, now)
        elif isinstance(result, PERMANENT) or (
            not _transient(result) and row.attempts + 1 >= self._max_attempts
        ):
            log.warning("outbox row %s to chat %s parked: %s", row.id, row.chat_id, error)
            await self.fail(row, error, attempts=row.attempts + 1, claimed=True)
        else:
            backoff = min(self._backoff * 2**row.attempts, self._backoff_max)
            await self.update(
                row.id,
                attempts=row.attempts + 1,
                not_before=now + timedelta(seconds=backoff),
                last_error=error,
            )
        return 0

    async def _unreachable(self, row: Due, error: str, now: datetime) -> None:
        async with self._sessions() as s, s.begin():
            await mark_volunteer_unreachable(s, user_id=row.chat_id, rules=self._rules, now=now)
            await s.execute(rows.by_id(row.id, status=OutboxStatus.UNREACHABLE, last_error=error))

    def mark_sent(self, row_id: int, message_id: int, now: datetime) -> None:
        """Sent rows are recorded in batches, by a task of their own: whoever sent them need
        not wait, and one transaction records all that went out meanwhile. Until then the row
        keeps its lease, so nobody sends it again (after a crash: once more, at most)."""
        self._sent.append({"row_id": row_id, "mid": message_id, "at": now})
        if self._recording is None or self._recording.done():
            # The sender's own task, for every update's sends: it takes nothing from the
            # context of the update whose send happened to start it.
            self._recording = asyncio.create_task(
                self._record_sent(), name="outbox-record", context=contextvars.Context()
            )

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

    async def settled(self) -> None:
        """Until every send so far is recorded."""
        while self._recording is not None and not self._recording.done():
            await asyncio.shield(self._recording)

    async def close(self) -> None:
        """Wait a while for the last sends to be recorded."""
        try:
            await asyncio.wait_for(self.settled(), RECORD_WAIT)
        except TimeoutError:  # the database is gone: those rows go out once more next start
            if self._recording is not None:
                self._recording.cancel()
            log.warning("stopping without recording %s sent rows", len(self._sent))

    async def fail(self, row: Due, error: str, *, attempts: int, claimed: bool = False) -> None:
        now = self._clock.now()
        async with self._sessions() as s, s.begin():
            notify = await coordinator_chats(s, self._rules)
            await rows.park_failed(s, row, error, attempts, claimed=claimed, notify=notify, now=now)

    async def settle(self, row: Due, **values: Any) -> bool:
        """Change a row nobody has touched since we read it; False if somebody did."""
        async with self._sessions() as s, s.begin():
            return await rows.changed(s, rows.guarded(row, **values))

    async def update(self, row_id: int, **values: Any) -> None:
        """Change a row we have claimed."""
        async with self._sessions() as s, s.begin():
            await s.execute(rows.by_id(row_id, **values))


def _transient(error: Exception) -> bool:
    """Telegram's own errors that are not permanent: network, timeouts, 5xx, a bad token."""
    return isinstance(error, TelegramAPIError | TelegramNetworkError | TimeoutError | OSError)
