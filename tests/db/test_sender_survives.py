"""The sender's loop survives the database failing in each of its phases: a real `run()` task,
a real database, and a fault injected at the database (a cursor event that raises "database is
locked" for the next statements matching a pattern). Afterwards everything is delivered."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from aiogram import Bot
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.sender import OutboxSender
from db.models import OutboxMessage, OutboxStatus
from services.clock import FrozenClock
from services.outbox import Notice
from services.rules import Rules
from tests.conftest import COORDINATOR_ID
from tests.db.test_sender import (
    FakeBot,
    FakeTime,
    add,
    add_user,
    bad_request,
    blocked,
    rows,
    unpaced_sender,
)

LEASE = 60


class DatabaseFault:
    """Makes the next `times` statements whose SQL matches `pattern` fail as SQLite does when
    another writer holds the lock."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._pattern: re.Pattern[str] | None = None
        self._left = 0
        self.hits = 0
        self.fired = asyncio.Event()
        event.listen(engine.sync_engine, "before_cursor_execute", self._check)

    def arm(self, pattern: str, times: int = 1) -> None:
        self._pattern, self._left = re.compile(pattern, re.S), times

    def _check(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if self._left and self._pattern is not None and self._pattern.search(statement):
            self._left -= 1
            self.hits += 1
            if not self._left:
                self.fired.set()
            raise OperationalError(statement, params, Exception("database is locked"))


@pytest.fixture
def fault(engine: AsyncEngine) -> DatabaseFault:
    return DatabaseFault(engine)


@pytest.fixture
def bot() -> FakeBot:
    return FakeBot()


@pytest.fixture
def sender(
    bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> OutboxSender:
    time = FakeTime()
    return unpaced_sender(
        cast(Bot, bot),
        sessions,
        clock,
        rules,
        backoff_seconds=0.01,  # the loop's pause after a failed pass, in real seconds
        backoff_max_seconds=0.05,
        lease_seconds=LEASE,
        available_locales=("de", "en"),
        monotonic=time,
        sleep=time.sleep,
    )


@pytest.fixture
async def running(sender: OutboxSender) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(sender.run())
    yield task
    await sender.stop()
    await asyncio.wait_for(task, 2)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5) -> None:  # noqa: ASYNC109
    """Another task does the work; look again until it is done."""
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 - the sender task gives no signal per row
            await asyncio.sleep(0.01)


@dataclass(frozen=True)
class Phase:
    pattern: str
    times: int = 2


# SQL of each phase, as SQLAlchemy compiles it (for SQLite and PostgreSQL alike).
PHASES = {
    "fetching due rows": Phase(r"^SELECT outbox\.id, outbox\.chat_id"),
    "claiming": Phase(r"^UPDATE outbox SET not_before=.*RETURNING"),
    "settling a stale row": Phase(r"^UPDATE outbox SET status=.*AND outbox\.not_before ="),
    "recording the result": Phase(r"^UPDATE outbox SET status=.*message_id=", times=1),
    "parking a refused row": Phase(r"^UPDATE outbox SET status=.*attempts=.*last_error=", 1),
    "marking a blocked user": Phase(r"^SELECT users\.id", times=1),
}


@pytest.mark.parametrize("phase", list(PHASES))
async def test_the_sender_delivers_everything_when_the_database_fails_while(
    phase: str,
    sender: OutboxSender,
    bot: FakeBot,
    fault: DatabaseFault,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> None:
    await add_user(sessions, 7)
    ids = [await add(sessions, clock, chat, chat) for chat in (1, 2, 3)]
    stale = await add(sessions, clock, 4, "stale")
    async with sessions() as s, s.begin():
        (await s.get_one(OutboxMessage, stale)).expires_at = clock.now()
    refused = await add(sessions, clock, 5, "refused")
    blocked_row = await add(sessions, clock, 7, "blocked")
    # Telegram says the same again when the row is tried a second time after the fault.
    bot.fail(5, bad_request(), bad_request())
    bot.fail(7, blocked(), blocked())
    fault.arm(PHASES[phase].pattern, PHASES[phase].times)
    clock.advance(timedelta(seconds=1))

    task = asyncio.create_task(sender.run())
    await asyncio.wait_for(fault.fired.wait(), 5)
    # A row whose result could not be recorded is still leased: it goes again after the lease.
    clock.advance(timedelta(seconds=LEASE + 1))
    sender.wake()

    async def done() -> bool:
        stored = await rows(sessions)
        notices = [r for r in stored.values() if r.kind == Notice.COORDINATOR_SEND_FAILED]
        return (
            all(stored[i].status is OutboxStatus.SENT for i in ids)
            and stored[stale].status is OutboxStatus.EXPIRED
            and stored[refused].status is OutboxStatus.FAILED
            and stored[blocked_row].status is OutboxStatus.UNREACHABLE
            and [n.status for n in notices] == [OutboxStatus.SENT]
        )

    await eventually(done)
    assert not task.done(), "the loop must survive the fault"
    await sender.stop()
    await asyncio.wait_for(task, 2)
    assert fault.hits == PHASES[phase].times
    sent = [chat for kind, chat, _, _ in bot.calls if kind == "send"]
    # Exactly once: a record that failed is written again, not the message sent again.
    again = sum(sent.count(chat) - 1 for chat in (1, 2, 3))
    assert all(chat in sent for chat in (1, 2, 3))
    assert again == 0
    assert COORDINATOR_ID in sent and 4 not in sent


async def test_the_sender_goes_on_when_the_idle_query_fails(
    sender: OutboxSender,
    running: asyncio.Task[None],
    bot: FakeBot,
    fault: DatabaseFault,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> None:
    fault.arm(r"min\(outbox\.not_before\)", times=3)  # asked only when nothing is due
    await asyncio.wait_for(fault.fired.wait(), 5)
    row_id = await add(sessions, clock, 1, "a")
    sender.wake()
    await asyncio.wait_for(bot.sent.wait(), 5)

    async def sent() -> bool:
        return (await rows(sessions))[row_id].status is OutboxStatus.SENT

    await eventually(sent)
    assert not running.done() and bot.texts() == ["de:offer:a"]


async def test_last_pass_advances_while_running_and_a_stall_shows_when_the_database_fails(
    sender: OutboxSender,
    running: asyncio.Task[None],
    fault: DatabaseFault,
    clock: FrozenClock,
) -> None:
    def fresh() -> bool:
        return sender.last_pass is not None and clock.now() - sender.last_pass < timedelta(
            seconds=30
        )

    async def passes() -> bool:
        return sender.last_pass == clock.now()

    await eventually(passes)
    clock.advance(timedelta(seconds=10))
    await eventually(passes)  # an idle loop still finishes passes
    assert fresh()

    fault.arm(r"outbox", times=10**9)  # every statement of the sender fails from now on
    await _hit(fault)
    stalled_at = sender.last_pass
    clock.advance(timedelta(minutes=5))
    await _hit(fault, more=3)  # the loop keeps trying (and failing) meanwhile
    assert sender.last_pass == stalled_at and not fresh(), "a health check sees the stall"
    assert not running.done()

    fault.arm(r"outbox", times=0)  # the database is back
    await eventually(passes)
    assert fresh()


async def _hit(fault: DatabaseFault, more: int = 1) -> None:
    wanted = fault.hits + more

    async def enough() -> bool:
        return fault.hits >= wanted

    await eventually(enough)
