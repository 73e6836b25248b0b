"""Reading a request as it is committed now, for a transition that depends on it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest


async def lock_request(session: AsyncSession, request_id: int) -> HelpRequest | None:
    """The request's latest committed row, locked until the transaction ends: a racing
    transition waits here and then sees what this one committed. (PostgreSQL; SQLite ignores
    FOR UPDATE but lets only one writer in at a time, see db/engine.py.) Every change to a
    request's offers happens under this lock or a conditional UPDATE of the request's row."""
    return await session.get(HelpRequest, request_id, with_for_update=True, populate_existing=True)


async def reload_request(session: AsyncSession, request_id: int) -> HelpRequest | None:
    """The request as committed now (after a conditional UPDATE that won or lost)."""
    return await session.get(HelpRequest, request_id, populate_existing=True)
