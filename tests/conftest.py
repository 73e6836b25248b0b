"""Fixtures shared by every test level: a fresh SQLite file with migrations applied, a clock
that moves only when told, and the deployment rules."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from matching.escalation import Policy
from services.clock import FrozenClock
from services.roles import seed
from services.rules import Rules

COORDINATOR_ID = 900_001
# A Saturday morning in Köln: outside everybody's default quiet hours.
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def rules() -> Rules:
    return Rules(
        policy=Policy(),
        tz=ZoneInfo("Europe/Berlin"),
        coordinators=(COORDINATOR_ID,),
    )


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database per test: a SQLite file, or with LOTSE_TEST_POSTGRES_URL set (see
    .ci/with-postgres) a new PostgreSQL database on that server."""
    server = os.environ.get("LOTSE_TEST_POSTGRES_URL")
    if not server:
        yield f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"
        return
    name = f"lotse_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + "/" + name
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.dispose()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    await upgrade(engine)
    async with create_session_factory(engine)() as session, session.begin():
        await seed(session, (COORDINATOR_ID,), now=T0)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)
