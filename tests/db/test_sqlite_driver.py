"""The SQLite driver (db/sqlite.py): statements, BEGIN and COMMIT run in the event loop's
thread; waiting for another process's write lock, the log's checkpoints and offloaded work run
in the connection's own thread, so that neither a lock held elsewhere, nor a sync to disk, nor a
long report stops the bot."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
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


async def test_a_transaction_runs_where_it_is_made(
    sessions: async_sessionmaker[AsyncSession], threads: list[tuple[str, int]]
) -> None:
    here = threading.get_ident()
    async with sessions() as session, session.begin():
        await session.scalar(select(User.id).limit(1))
    assert threads == [("BEGIN", here), ("SELECT", here)]


@dataclass
class Checkpoint:
    thread: int
    busy: int
    logged: int  # pages in the log
    copied: int  # of them, pages copied into the database file


@pytest.fixture
def checkpoints(monkeypatch: pytest.MonkeyPatch, sqlite_path: str) -> list[Checkpoint]:
    """Every checkpoint run, with one every third commit."""
    seen: list[Checkpoint] = []
    checkpoint = driver._checkpoint

    def spying(conn: sqlite3.Connection) -> tuple[int, int, int]:
        result = checkpoint(conn)
        seen.append(Checkpoint(threading.get_ident(), *result))
        return result

    monkeypatch.setattr(driver, "_checkpoint", spying)
    monkeypatch.setattr(driver, "CHECKPOINT_EVERY", 3)
    return seen


async def _commit_rows(sessions: async_sessionmaker[AsyncSession], n: int) -> None:
    for i in range(n):
        async with sessions() as session, session.begin():
            await session.execute(text("CREATE TABLE IF NOT EXISTS probe (n INTEGER)"))
            await session.execute(text("INSERT INTO probe VALUES (:n)"), {"n": i})


async def test_the_log_is_checkpointed_in_the_connections_thread_every_few_commits(
    sessions: async_sessionmaker[AsyncSession], checkpoints: list[Checkpoint]
) -> None:
    await _commit_rows(sessions, 9)
    # Three, or four if the fixture's own commits had brought the count near the next one.
    assert len(checkpoints) in (3, 4)
    assert all(c.thread != threading.get_ident() for c in checkpoints)
    # Nobody else reads the file, so each copies the whole log into the database.
    assert all(c.busy == 0 and c.copied == c.logged > 0 for c in checkpoints)


async def test_a_failed_checkpoint_does_not_undo_or_fail_the_commit(
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    checkpoints: list[Checkpoint],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def failing(conn: sqlite3.Connection) -> tuple[int, int, int]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(driver, "_checkpoint", failing)
    await _commit_rows(sessions, 3)  # the third commit's checkpoint fails
    async with sessions() as session, session.begin():
        count = await session.scalar(text("SELECT count(*) FROM probe"))
    assert count == 3
    assert "WAL checkpoint failed: OperationalError" in caplog.text


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
    """Another process holds the write lock; our transaction finds it taken at once and waits
    for it (busy_timeout, in the connection's thread) while the loop goes on, and then
    commits."""
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
