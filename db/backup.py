"""`lotse db backup FILE`: a consistent copy of a running SQLite database.

SQLite's online backup API copies the database in one step inside one read transaction, so
the copy is the database as it stood at one moment, while the bot goes on writing (in WAL
mode readers and the writer do not wait for each other). A plain file copy is not safe: it
can catch a page half-written, and it misses what still sits in the write-ahead log.

The copy is written beside FILE, checked (`PRAGMA integrity_check`) and only then renamed to
FILE, so FILE is always either the old backup or a whole new one. It is one self-contained
file (no -wal beside it): restoring is putting it in place of the database while the bot is
stopped. PostgreSQL has its own tool for this, pg_dump; this command says how to call it.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import URL, make_url

BUSY_TIMEOUT = 30.0  # seconds to wait for the bot's writer to let the copy start


class BackupRefused(Exception):
    """Why there is no backup, in one line for the operator."""


def backup(database_url: str, target: Path) -> Path:
    """Copy the SQLite database of `database_url` to `target`; returns the source file."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(pg_dump_hint(url, target))
    source = Path(url.database or ":memory:")
    if str(source) == ":memory:" or not source.is_file():
        raise BackupRefused(f"there is no SQLite database file at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:  # a full disk, a missing folder: one line
        raise BackupRefused(f"the copy failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return source


def _copy(source: Path, partial: Path) -> None:
    with (
        closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT)) as src,
        closing(sqlite3.connect(partial)) as copy,
    ):
        src.backup(copy)  # every page in one step: one snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise BackupRefused(f"the copy failed SQLite's integrity check: {result}")


def pg_dump_hint(url: URL, target: Path) -> str:
    """The refusal for PostgreSQL, with the pg_dump command to use (no password in it)."""
    plain = URL.create(
        url.get_backend_name(), url.username, None, url.host, url.port, url.database, url.query
    )
    address = plain.render_as_string(hide_password=False)
    return (
        "the database is PostgreSQL; back it up with pg_dump: "
        f"pg_dump --format=custom --file={target} '{address}'"
    )
