from __future__ import annotations

import asyncio

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import OutboxMessage
from services.clock import FrozenClock
from services.outbox import DoneNotice, enqueue


async def someone_waits_for_a_lock(engine: AsyncEngine) -> None:
    """On PostgreSQL, until another transaction is blocked on a row lock. SQLite makes the
    second writer wait at BEGIN instead, which needs no waiting here."""
    if engine.dialect.name != "postgresql":
        return
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    # Autocommit: inside one transaction PostgreSQL keeps showing the first snapshot of
    # pg_stat_activity, and a waiter that came later would never be seen.
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    async with asyncio.timeout(10), autocommit.connect() as conn:
        while not await conn.scalar(query):  # noqa: ASYNC110 - the server has no such event
            await asyncio.sleep(0.01)


async def test_one_row_stays_and_nobody_fails_when_two_transactions_enqueue_one_key_at_once(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async def enqueue_once(s: AsyncSession) -> int:
        row = await enqueue(
            s,
            chat_id=11,
            payload=DoneNotice(ref="K7M2QP", request_id=1),
            dedupe_key="done:1",
            now=clock.now(),
        )
        return row.id

    async def second() -> int:
        async with sessions() as s, s.begin():
            return await enqueue_once(s)

    async with sessions() as first, first.begin():
        first_id = await enqueue_once(first)
        racing = asyncio.create_task(second())  # inserts the same key before we commit
        await someone_waits_for_a_lock(engine)
    assert await racing == first_id
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 1
