"""Engine and session factory. Created by the caller, never at import."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db import sqlite
from db.sqlite import offloaded, offloading

__all__ = ["create_engine", "create_session_factory", "offloaded", "offloading"]


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername=f"sqlite+{sqlite.DRIVER}")  # one hop per statement
    if parsed.get_backend_name() == "sqlite":
        # One connection per process: SQLite has one writer at a time anyway, and every
        # transaction here writes (BEGIN IMMEDIATE). Waiting for it happens in the event
        # loop's queue, in arrival order, not in SQLite's sleeping busy handler; transactions
        # are short because nothing waits on the network inside one.
        kwargs = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60, **kwargs}
        # Sessions and connections end their own transactions; a reset on top is a wasted trip.
        kwargs.setdefault("pool_reset_on_return", None)
    # Bound parameters hold personal data: errors must not show them.
    engine = create_async_engine(parsed, hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (see _on_begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # The driver (db/sqlite.py) takes the write lock without waiting in the event loop's
        # thread, and waits for another process's only in the connection's thread; it also
        # checkpoints the log itself, never inside a COMMIT.
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Take the write lock at BEGIN: a deferred transaction that reads, then writes, can fail
        # with "database is locked" instead of waiting when another writer got there first.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
