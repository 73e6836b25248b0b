"""SQLite through aiosqlite, with short statements run right where they are made.

SQLAlchemy's aiosqlite adapter sends every statement to aiosqlite's thread in four trips (open a
cursor, execute, fetch, close), each a wake-up of the event loop. Here one process has one
connection (db/engine.py), and a transaction holds it from BEGIN to COMMIT whatever the loop
does meanwhile, so a trip buys nothing but its cost: a statement runs at once, in the loop's
thread, start to finish. That holds for BEGIN, COMMIT and ROLLBACK too, with three exceptions
that go to the connection's thread, where waiting or writing much does not stop the bot:
- BEGIN IMMEDIATE is tried here without waiting (`busy_timeout` is 0). Only if another process
  holds the write lock does it go to the thread and wait there (`BUSY_WAIT_MS`).
- The checkpoint, which copies the log into the database file and syncs it. SQLite's own would
  run inside some COMMIT, so it is off (`wal_autocheckpoint=0`). After `CHECKPOINT_EVERY`
  commits, the next transaction begins with one in the thread; its COMMIT goes there too, as
  the first write after a checkpoint starts the log anew and syncs its header. Every other
  COMMIT in WAL mode with `synchronous=NORMAL` only appends to the log, without a sync.
- Statements made inside `offloaded()`: reports, exports, erasure, retention, lists over all
  volunteers, whose reads can take a second on a big database. Their transaction's COMMIT or
  ROLLBACK goes to the thread as well, as it may write many pages.

Registered as the driver `lotse_sqlite`; db/engine.py uses it for every `sqlite+aiosqlite` URL.
Everything else is SQLAlchemy's.
"""

from __future__ import annotations

import collections
import logging
import sqlite3
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, Literal, ParamSpec, TypeVar, cast

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT, await_

DRIVER = "lotse_sqlite"
BUSY_WAIT_MS = 10_000  # how long BEGIN waits for another process's write lock
CHECKPOINT_EVERY = 100  # commits; a write transaction here adds some 5 to 20 pages to the log

log = logging.getLogger(__name__)

_Outcome = tuple[Any, list[Any], int, int | None]  # description, rows, rowcount, lastrowid

P = ParamSpec("P")
T = TypeVar("T")

_OFFLOADED: ContextVar[bool] = ContextVar("lotse_sqlite_offloaded", default=False)


@contextmanager
def offloaded() -> Iterator[None]:
    """Statements made inside run in the connection's thread: for work that may read much."""
    token = _OFFLOADED.set(True)
    try:
        yield
    finally:
        _OFFLOADED.reset(token)


def offloading(
    function: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """`offloaded()` around every call of an async function."""

    @wraps(function)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with offloaded():
            return await function(*args, **kwargs)

    return wrapper


def _run(conn: sqlite3.Connection, many: bool, operation: str, parameters: Any) -> _Outcome:
    """The whole statement, start to finish."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _begin_waiting(conn: sqlite3.Connection, operation: str) -> _Outcome:
    """BEGIN that waits for another process's write lock: in the connection's thread only."""
    conn.execute(f"PRAGMA busy_timeout={BUSY_WAIT_MS}")
    try:
        return _run(conn, False, operation, None)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def _checkpoint(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Copy the log into the database as far as no reader still needs it (never waits)."""
    busy, logged, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return busy, logged, copied


def _checkpoint_then_begin(conn: sqlite3.Connection, operation: str) -> _Outcome:
    """In the connection's thread, before a transaction: a failed checkpoint is logged and
    tried again after the next CHECKPOINT_EVERY commits; the transaction goes ahead."""
    try:
        busy, logged, copied = _checkpoint(conn)
    except sqlite3.Error as error:
        log.warning("WAL checkpoint failed: %s", type(error).__name__)
    else:
        log.debug("WAL checkpoint: %s of %s pages copied (busy=%s)", copied, logged, busy)
    return _begin_waiting(conn, operation)


async def _here(conn: sqlite3.Connection, many: bool, operation: str, parameters: Any) -> _Outcome:
    return _run(conn, many, operation, parameters)


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        # No aiosqlite cursor: each statement opens and closes its own in the thread.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._hop(False, operation, parameters)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        self._hop(True, operation, seq_of_parameters)

    def _hop(self, many: bool, operation: Any, parameters: Any) -> None:
        adapted = cast(_Connection, self._adapt_connection)
        connection = self._connection
        conn = connection._conn
        try:
            if _OFFLOADED.get():
                adapted._heavy = True
                # aiosqlite's queue runs one function at a time in the connection's thread.
                outcome: _Outcome = await_(
                    connection._execute(_run, conn, many, operation, parameters)
                )
            elif operation.startswith("BEGIN"):
                outcome = await_(adapted._begin(operation))
            else:
                # Awaited, though it never suspends: SQLAlchemy wants an await per statement.
                outcome = await_(_here(conn, many, operation, parameters))
        except Exception as error:
            adapted._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_commits", "_heavy")
    _cursor_cls = InlineCursor
    _commits: int  # since the last checkpoint
    _heavy: bool  # this transaction ends in the connection's thread

    async def _begin(self, operation: str) -> _Outcome:
        """Here if the write lock is free (nearly always); else wait for it in the thread."""
        connection = self._connection
        conn = connection._conn
        if self._commits >= CHECKPOINT_EVERY:
            self._commits, self._heavy = 0, True
            outcome: _Outcome = await connection._execute(_checkpoint_then_begin, conn, operation)
            return outcome
        try:
            return _run(conn, False, operation, None)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # extended codes included
                raise
        outcome = await connection._execute(_begin_waiting, conn, operation)
        return outcome

    def commit(self) -> None:
        self._end("commit")
        self._commits += 1

    def rollback(self) -> None:
        if self._connection._connection is None:  # closed: nothing to roll back
            self._heavy = False
            return
        self._end("rollback")

    def _end(self, how: Literal["commit", "rollback"]) -> None:
        """COMMIT or ROLLBACK: in the connection's thread after heavy work, else here."""
        heavy, self._heavy = self._heavy, False
        try:
            if heavy:
                await_(getattr(self._connection, how)())  # aiosqlite's, awaitable
            else:
                getattr(self._connection._conn, how)()  # sqlite3's
        except Exception as error:
            self._handle_exception(error)


class _DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        # The connection is made in aiosqlite's thread and used from the loop's thread too, never
        # from both at once: SQLAlchemy awaits each statement before it makes the next.
        kw["check_same_thread"] = False
        adapted = super().connect(*arg, **kw)
        connection = _Connection(self, adapted._connection)
        connection._commits, connection._heavy = 0, False
        return connection


class InlineDialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> _DBAPI:
        return _DBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(f"sqlite.{DRIVER}", __name__, "InlineDialect")
