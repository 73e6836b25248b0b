"""Several processes on PostgreSQL: one outbox sender at a time (bot/leader.py), elected with an
advisory lock that dies with its connection."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from aiogram import Bot
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.leader import LOCK_KEY, Leadership, connector
from services.clock import FrozenClock
from services.rules import Rules
from tests.db.test_sender import FakeBot, add, unpaced_sender

pytestmark = pytest.mark.skipif(
    not os.environ.get("LOTSE_TEST_POSTGRES_URL"), reason="the election needs PostgreSQL"
)

CHAT = 501


def make_leadership(
    db_url: str,
    bot: FakeBot,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
) -> Leadership:
    # idle_poll_seconds: only a wake makes it look again
    sender = unpaced_sender(cast(Bot, bot), sessions, clock, rules, idle_poll_seconds=60)
    connect = connector(db_url)
    assert connect is not None
    return Leadership(sender, connect, retry_seconds=0.05, check_seconds=0.1, takeover_pause=0)


@pytest.fixture
async def pair(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> AsyncIterator[tuple[Leadership, Leadership, FakeBot]]:
    bot = FakeBot()
    first, second = (make_leadership(db_url, bot, sessions, clock, rules) for _ in range(2))
    yield first, second, bot
    await asyncio.gather(first.stop(), second.stop())


async def until_one_leads(*candidates: Leadership) -> Leadership:
    waits = {asyncio.ensure_future(c.elected.wait()): c for c in candidates}
    done, pending = await asyncio.wait(waits, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    assert done, "nobody was elected"
    return waits[done.pop()]


async def lock_holders(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        found = await conn.execute(
            text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :key"),
            {"key": LOCK_KEY & 0xFFFFFFFF},
        )
        return list(found.scalars())


async def test_one_process_sends_and_the_other_stands_by_when_both_run(
    pair: tuple[Leadership, Leadership, FakeBot], engine: AsyncEngine
) -> None:
    first, second, _bot = pair
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    leader = await until_one_leads(first, second)
    other = second if leader is first else first
    assert leader.leading and not other.leading
    assert len(await lock_holders(engine)) == 1
    await asyncio.gather(first.stop(), second.stop())
    await asyncio.gather(*tasks)
    assert await lock_holders(engine) == []  # stopping gives the lock back


async def test_the_other_process_takes_over_when_the_senders_connection_dies(
    pair: tuple[Leadership, Leadership, FakeBot], engine: AsyncEngine
) -> None:
    first, second, _bot = pair
    leading = asyncio.create_task(first.run())
    await until_one_leads(first)
    standing_by = asyncio.create_task(second.run())
    (pid,) = await lock_holders(engine)
    async with engine.connect() as conn:  # as if the process were killed
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(Exception):  # noqa: B017 - whatever the dead connection raises
        await leading  # supervised in production: it stands for election again
    assert not first.leading
    assert await until_one_leads(second) is second
    await second.stop()
    await standing_by


async def test_a_row_written_by_a_process_standing_by_is_sent_at_once_by_the_sender(
    pair: tuple[Leadership, Leadership, FakeBot],
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> None:
    first, second, bot = pair
    tasks = [asyncio.create_task(first.run())]
    await until_one_leads(first)
    tasks.append(asyncio.create_task(second.run()))
    bot.sent.clear()
    await add(sessions, clock, CHAT, "r1")
    second.wake()  # NOTIFY: the leader looks at once, not after its idle poll of 60 s
    await asyncio.wait_for(bot.sent.wait(), 5)
    assert [chat for _, chat, _, _ in bot.calls] == [CHAT]
    await asyncio.gather(first.stop(), second.stop())
    await asyncio.gather(*tasks)
