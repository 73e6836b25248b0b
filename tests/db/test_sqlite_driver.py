"""The SQLite driver (db/sqlite.py): statements, BEGIN and COMMIT run in the event loop's
thread. Waiting for another process's write lock, the log's checkpoint (and the transaction
right after it) and offloaded work (with its COMMIT) run in the connection's own thread, so
that neither a lock held elsewhere, nor a sync to disk, nor a long report stops the bot."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any, cast

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import sqlite as driver
from db.engine import offloaded, offloading
from db.models import User

Sessions = async_sessionmaker[AsyncSession]
TICKS = 10  # loop ticks while our BEGIN waits for another process's lock


@pytest.fixture
def sqlite_path(db_url: str) -> str:
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("the driver is SQLite's")
    assert url.database is not None
    return url.database


async def _driver_connection(sessions: Sessions) -> driver._Connection:
    """The process's one connection, as the driver made it."""
    async with sessions() as session:
        raw = await (await session.connection()).get_raw_connection()
        return cast(driver._Connection, raw.dbapi_connection)


@pytest.fixture
async def statements(sessions: Sessions, sqlite_path: str) -> AsyncIterator[list[tuple[str, bool]]]:
    """(the first word, and whether it ran in the event loop's thread) of every statement
    SQLite runs from now on, COMMIT and ROLLBACK included."""
    loop_thread = threading.get_ident()
    seen: list[tuple[str, bool]] = []
    conn = (await _driver_connection(sessions))._connection._conn

    def trace(sql: str) -> None:
        seen.append((sql.split()[0].upper(), threading.get_ident() == loop_thread))

    conn.set_trace_callback(trace)
    yield seen
    conn.set_trace_callback(None)


def _without_pragmas(seen: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    return [s for s in seen if s[0] != "PRAGMA"]


async def test_a_transaction_runs_where_it_is_made(
    sessions: Sessions, statements: list[tuple[str, bool]]
) -> None:
    async with sessions() as session, session.begin():
        await session.scalar(select(User.id).limit(1))
    assert statements == [("BEGIN", True), ("SELECT", True), ("COMMIT", True)]


async def test_offloaded_statements_and_their_commit_run_in_the_connections_thread(
    sessions: Sessions, statements: list[tuple[str, bool]]
) -> None:
    @offloading
    async def report(session: AsyncSession) -> int | None:
        return await session.scalar(select(User.id).limit(1))

    async with sessions() as session, session.begin():
        await report(session)  # its BEGIN too: the transaction began inside
        with offloaded():
            await session.execute(text("SELECT 1"))
        await session.execute(text("SELECT 2"))  # after: here again
    assert statements == [
        ("BEGIN", False),
        ("SELECT", False),
        ("SELECT", False),
        ("SELECT", True),
        ("COMMIT", False),  # it may write many pages
    ]
    statements.clear()
    async with sessions() as session, session.begin():  # the next transaction is short again
        await session.execute(text("SELECT 3"))
    assert statements == [("BEGIN", True), ("SELECT", True), ("COMMIT", True)]


@dataclass
class Checkpoint:
    in_loop_thread: bool
    busy: int
    logged: int  # pages in the log
    copied: int  # of them, pages copied into the database file


@pytest.fixture
async def checkpoints(
    monkeypatch: pytest.MonkeyPatch, sessions: Sessions, sqlite_path: str
) -> list[Checkpoint]:
    """Every checkpoint from now on, with one after every third commit."""
    seen: list[Checkpoint] = []
    checkpoint = driver._checkpoint
    loop_thread = threading.get_ident()

    def spying(conn: sqlite3.Connection) -> tuple[int, int, int]:
        result = checkpoint(conn)
        seen.append(Checkpoint(threading.get_ident() == loop_thread, *result))
        return result

    monkeypatch.setattr(driver, "_checkpoint", spying)
    monkeypatch.setattr(driver, "CHECKPOINT_EVERY", 3)
    (await _driver_connection(sessions))._commits = 0  # the fixtures' own commits left out
    return seen


async def _write(sessions: Sessions, n: int) -> None:
    """n transactions, each inserting one row."""
    for i in range(n):
        async with sessions() as session, session.begin():
            await session.execute(text("CREATE TABLE IF NOT EXISTS probe (n INTEGER)"))
            await session.execute(text("INSERT INTO probe VALUES (:n)"), {"n": i})


async def test_the_log_is_checkpointed_in_the_connections_thread_every_few_commits(
    sessions: Sessions, checkpoints: list[Checkpoint], statements: list[tuple[str, bool]]
) -> None:
    await _write(sessions, 10)  # the 4th, 7th and 10th begin with a checkpoint
    assert len(checkpoints) == 3
    assert not any(c.in_loop_thread for c in checkpoints)
    # Nobody else reads the file, so each copies the whole log into the database.
    assert all(c.busy == 0 and c.copied == c.logged > 0 for c in checkpoints)
    # Those three transactions begin and end in the connection's thread: the first write after
    # a whole log was copied starts the log anew and syncs its header at COMMIT.
    ends = [here for word, here in statements if word == "COMMIT"]
    assert ends == [True, True, True, False, True, True, False, True, True, False]


async def test_a_failed_checkpoint_leaves_the_transaction_to_go_ahead(
    sessions: Sessions,
    monkeypatch: pytest.MonkeyPatch,
    checkpoints: list[Checkpoint],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def failing(conn: sqlite3.Connection) -> tuple[int, int, int]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(driver, "_checkpoint", failing)
    await _write(sessions, 4)  # the fourth transaction's checkpoint fails
    async with sessions() as session, session.begin():
        count = await session.scalar(text("SELECT count(*) FROM probe"))
    assert count == 4
    assert "WAL checkpoint failed: OperationalError" in caplog.text


async def test_sqlite_itself_never_checkpoints_and_never_waits_in_the_loops_thread(
    sessions: Sessions, sqlite_path: str
) -> None:
    async with sessions() as session, session.begin():
        assert await session.scalar(text("PRAGMA wal_autocheckpoint")) == 0
        assert await session.scalar(text("PRAGMA busy_timeout")) == 0


async def test_waiting_for_another_processs_write_lock_does_not_stop_the_loop(
    sessions: Sessions, sqlite_path: str
) -> None:
    """Another process holds the write lock until the event loop has ticked TICKS times while
    our transaction waits for it: were the wait in the loop's thread, the loop could not tick
    and the other process would give up after five seconds instead."""
    locked, release = threading.Event(), threading.Event()
    released_by_ticks: list[bool] = []

    def other_process() -> None:
        with closing(sqlite3.connect(sqlite_path, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            released_by_ticks.append(release.wait(5))
            conn.execute("COMMIT")

    holder = threading.Thread(target=other_process)
    holder.start()
    assert await asyncio.to_thread(locked.wait, 5)
    writing = asyncio.create_task(_write(sessions, 1))
    for _ in range(TICKS):
        await asyncio.sleep(0.01)
        assert not writing.done()  # still waiting for the lock
    release.set()
    await writing  # ... and then commits
    await asyncio.to_thread(holder.join)
    assert released_by_ticks == [True]
    async with sessions() as session, session.begin():  # back to not waiting here
        assert await session.scalar(text("PRAGMA busy_timeout")) == 0
        assert await session.scalar(text("SELECT count(*) FROM probe")) == 1


async def test_begin_waits_in_the_connections_thread_after_any_busy_code(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch, statements: list[tuple[str, bool]]
) -> None:
    """SQLITE_BUSY_RECOVERY (261), one of busy's extended codes, as much as SQLITE_BUSY."""
    run = driver._run
    loop_thread = threading.get_ident()

    def busy_once(conn: sqlite3.Connection, many: bool, operation: str, parameters: Any) -> Any:
        if operation.startswith("BEGIN") and threading.get_ident() == loop_thread:
            monkeypatch.setattr(driver, "_run", run)
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = 261
            raise error
        return run(conn, many, operation, parameters)

    monkeypatch.setattr(driver, "_run", busy_once)
    async with sessions() as session, session.begin():
        await session.execute(text("SELECT 1"))
    assert _without_pragmas(statements) == [("BEGIN", False), ("SELECT", True), ("COMMIT", True)]
