"""The SQLite driver (db/sqlite.py): short statements run in the event loop's thread; BEGIN
(which may wait for another process's write lock), COMMIT and offloaded work run in the
connection's own thread, so that neither a lock held elsewhere nor a long report stops the bot."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import sqlite as driver
from db.engine import offloaded, offloading
from db.models import User

LOCK_HELD = 0.4  # seconds another process keeps the write lock


@pytest.fixture
def sqlite_path(db_url: str) -> str:
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("the driver is SQLite's")
    assert url.database is not None
    return url.database


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch, sqlite_path: str) -> Iterator[list[tuple[str, int]]]:
    """(the statement's first word, the id of the thread it ran in), for every statement."""
    seen: list[tuple[str, int]] = []
    run = driver._run

    def spying(conn: sqlite3.Connection, many: bool, operation: str, parameters: Any) -> Any:
        seen.append((operation.split()[0].upper(), threading.get_ident()))
        return run(conn, many, operation, parameters)

    monkeypatch.setattr(driver, "_run", spying)
    yield seen


async def test_a_short_statement_runs_where_it_is_made_and_begin_in_the_connections_thread(
    sessions: async_sessionmaker[AsyncSession], threads: list[tuple[str, int]]
) -> None:
    here = threading.get_ident()
    async with sessions() as session, session.begin():
        await session.scalar(select(User.id).limit(1))
    (begin, begin_thread), (word, thread) = threads
    assert (begin, word) == ("BEGIN", "SELECT")
    assert thread == here
    assert begin_thread != here


async def test_offloaded_statements_run_in_the_connections_thread(
    sessions: async_sessionmaker[AsyncSession], threads: list[tuple[str, int]]
) -> None:
    @offloading
    async def report(session: AsyncSession) -> int | None:
        return await session.scalar(select(User.id).limit(1))

    here = threading.get_ident()
    async with sessions() as session, session.begin():
        await report(session)
        with offloaded():
            await session.execute(text("SELECT 1"))
        await session.execute(text("SELECT 2"))  # after: here again
    assert [word for word, _ in threads] == ["BEGIN", "SELECT", "SELECT", "SELECT"]
    assert [thread == here for _, thread in threads] == [False, False, False, True]


async def test_waiting_for_another_processs_write_lock_does_not_stop_the_loop(
    sessions: async_sessionmaker[AsyncSession], sqlite_path: str
) -> None:
    """Another process holds the write lock; our transaction waits for it (busy_timeout, in the
    connection's thread) while the loop goes on, and then commits."""
    locked, release = threading.Event(), threading.Event()

    def other_process() -> None:
        with closing(sqlite3.connect(sqlite_path, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(5)
            conn.execute("COMMIT")

    holder = threading.Thread(target=other_process)
    holder.start()
    assert await asyncio.to_thread(locked.wait, 5)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def writer() -> float:
        started = time.perf_counter()
        async with sessions() as session, session.begin():
            await session.execute(text("CREATE TABLE IF NOT EXISTS probe (n INTEGER)"))
        return time.perf_counter() - started

    ticking = asyncio.create_task(ticker())
    writing = asyncio.create_task(writer())
    await asyncio.sleep(LOCK_HELD)
    release.set()
    waited = await writing
    ticking.cancel()
    await asyncio.to_thread(holder.join)
    assert waited >= LOCK_HELD * 0.9  # it did wait for the lock ...
    assert ticks >= 10  # ... and the loop ran meanwhile (40 ticks of 10 ms if idle)
