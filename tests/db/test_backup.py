"""`lotse db backup FILE`: a consistent copy of a running SQLite database, taken while the bot
goes on writing; PostgreSQL is refused with the pg_dump command to use instead."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main
from db.backup import BackupRefused, backup
from db.engine import create_engine
from db.migrate import upgrade
from db.models import HelpRequest
from services.clock import FrozenClock
from tests.factories import add_request, add_user

SEEKER = 701
BEFORE = 25  # requests committed before the backup begins


@pytest.fixture
def sqlite_url(db_url: str) -> str:
    if make_url(db_url).get_backend_name() != "sqlite":
        pytest.skip("the online backup copies SQLite databases; PostgreSQL has pg_dump")
    return db_url


class Writer:
    """Writes requests one transaction at a time until told to stop, like a busy bot."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock) -> None:
        self.sessions, self.clock = sessions, clock
        self.committed: list[int] = []
        self.warm = asyncio.Event()
        self.stop = False

    async def run(self) -> None:
        async with self.sessions() as session, session.begin():
            await add_user(session, SEEKER, now=self.clock.now())
        while not self.stop:
            async with self.sessions() as session, session.begin():
                request = await add_request(session, seeker_id=SEEKER, now=self.clock.now())
            self.committed.append(request.id)
            if len(self.committed) >= BEFORE:
                self.warm.set()
            await asyncio.sleep(0)  # let the test's own steps run between two commits


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as copy:
        return copy.execute(query).fetchall()


def names(folder: Path, start: str) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith(start))


async def test_a_backup_taken_while_requests_are_written_holds_every_request_committed_before_it(
    sqlite_url: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    writer = Writer(sessions, clock)
    writing = asyncio.create_task(writer.run())
    await writer.warm.wait()
    before = set(writer.committed)
    target = tmp_path / "backup.db"
    await asyncio.to_thread(backup, sqlite_url, target)
    writer.stop = True
    await writing
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    copied = {row_id for (row_id,) in rows(target, "SELECT id FROM requests")}
    assert before <= copied <= set(writer.committed)
    assert rows(target, "SELECT count(*) FROM alembic_version") == [(1,)]
    assert names(tmp_path, "backup") == ["backup.db"]  # no -wal beside it, no partial copy


async def test_a_restored_backup_opens_and_is_up_to_date_when_the_bot_starts_on_it(
    sqlite_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, tmp_path: Path
) -> None:
    async with sessions() as session, session.begin():
        await add_user(session, SEEKER, now=clock.now())
        await add_request(session, seeker_id=SEEKER, now=clock.now())
    target = tmp_path / "restored.db"
    backup(sqlite_url, target)
    restored = create_engine(f"sqlite+aiosqlite:///{target}")
    try:
        await upgrade(restored)  # as at start: nothing to do
        async with restored.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(HelpRequest)) == 1
    finally:
        await restored.dispose()


def test_backup_is_refused_with_the_pg_dump_command_when_the_database_is_postgresql(
    tmp_path: Path,
) -> None:
    url = "postgresql+asyncpg://lotse:s3cret@db.internal:5432/lotse"
    with pytest.raises(BackupRefused) as refused:
        backup(url, tmp_path / "lotse.dump")
    message = str(refused.value)
    assert (
        "pg_dump --format=custom" in message
        and "postgresql://lotse@db.internal:5432/lotse" in message
    )
    assert "s3cret" not in message and "\n" not in message


def test_the_command_prints_one_line_and_fails_when_the_database_is_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_DATABASE_URL", "postgresql+asyncpg://lotse:s3cret@db/lotse")
    assert main(["db", "backup", str(tmp_path / "lotse.dump")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "pg_dump" in err
    assert "Traceback" not in err and "s3cret" not in err


def test_the_command_writes_a_backup_when_the_database_is_sqlite(
    sqlite_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOTSE_DATABASE_URL", sqlite_url)
    target = tmp_path / "nightly.db"
    assert main(["db", "backup", str(target)]) == 0
    assert main(["db", "backup", str(target)]) == 0  # a second night replaces the first
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
