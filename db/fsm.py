"""aiogram FSM storage in the database (table fsm_state): a conversation survives a restart and
works with several workers. Inside an update it writes through the update's own session, so the
state changes commit together with everything else the handler did, and the record is read
once per update: the session remembers it (or that there is none) for every later call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import FsmRecord

# Set by the unit-of-work middleware for the duration of one update.
current_session: ContextVar[AsyncSession | None] = ContextVar("lotse_session", default=None)


class DbStorage(BaseStorage):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessions = sessions
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        session = current_session.get()
        if session is not None:
            yield session
            return
        async with self._sessions() as own, own.begin():
            yield own

    async def _find(self, session: AsyncSession, key: StorageKey) -> FsmRecord | None:
        name = self._keys.build(key)
        known: dict[str, FsmRecord | None] = session.info.setdefault("fsm_records", {})
        if name not in known:
            known[name] = await session.get(FsmRecord, name)
        return known[name]

    async def _record(self, session: AsyncSession, key: StorageKey) -> FsmRecord:
        record = await self._find(session, key)
        if record is None:
            name = self._keys.build(key)
            record = session.info["fsm_records"][name] = FsmRecord(key=name, state=None, data={})
            session.add(record)
        return record

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._session() as session:
            if value is None and await self._find(session, key) is None:
                return  # clearing a conversation that never began writes nothing
            record = await self._record(session, key)
            record.state = value

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._session() as session:
            record = await self._find(session, key)
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._session() as session:
            if not data and await self._find(session, key) is None:
                return
            record = await self._record(session, key)
            record.data = dict(data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session() as session:
            record = await self._find(session, key)
            return dict(record.data) if record else {}

    async def close(self) -> None:
        return None
