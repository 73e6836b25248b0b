"""Fixtures for the database tests: a seeker who asks for help, and committed helpers."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.clock import FrozenClock
from tests.factories import add_user

SEEKER_ID = 700_001


@pytest.fixture
async def seeker(sessions: async_sessionmaker[AsyncSession], clock: FrozenClock) -> int:
    async with sessions() as s, s.begin():
        await add_user(s, SEEKER_ID, now=clock.now())
    return SEEKER_ID
