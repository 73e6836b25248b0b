"""SQLite through aiosqlite, with short statements run right where they are made.

SQLAlchemy's aiosqlite adapter sends every statement to aiosqlite's thread in four trips (open a
cursor, execute, fetch, close), each a wake-up of the event loop. Here one process has one
connection (db/engine.py), and a transaction holds it from BEGIN to COMMIT whatever the loop
does meanwhile, so a trip buys nothing but its cost: a short statement (a key lookup, an insert,
the candidate query) runs at once, in the loop's thread, start to finish.

Three things still go to the connection's thread, because there they may wait or take long
without stopping the bot:
- BEGIN IMMEDIATE, which waits for another process's write lock (`busy_timeout`);
- COMMIT and ROLLBACK (SQLAlchemy's adapter), where SQLite writes the log and checkpoints;
- every statement made inside `offloaded()`: reports, exports, erasure, retention, lists over
  all volunteers, whose reads can take a second on a big database.

Registered as the driver `lotse_sqlite`; db/engine.py uses it for every `sqlite+aiosqlite` URL.
Everything else is SQLAlchemy's.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT, await_

DRIVER = "lotse_sqlite"

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
        connection = self._connection
        conn = connection._conn
        try:
            if _OFFLOADED.get() or operation.startswith("BEGIN"):
                # aiosqlite's queue runs one function at a time in the connection's thread.
                outcome: _Outcome = await_(
                    connection._execute(_run, conn, many, operation, parameters)
                )
            else:
                # Awaited, though it never suspends: SQLAlchemy wants an await per statement.
                outcome = await_(_here(conn, many, operation, parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = InlineCursor


class _DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        # The connection is made in aiosqlite's thread and used from the loop's thread too, never
        # from both at once: SQLAlchemy awaits each statement before it makes the next.
        kw["check_same_thread"] = False
        adapted = super().connect(*arg, **kw)
        return _Connection(self, adapted._connection)


class InlineDialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> _DBAPI:
        return _DBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(f"sqlite.{DRIVER}", __name__, "InlineDialect")
