"""Telegram may deliver an update twice: the first delivery claims its id."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for
from db.models import ProcessedUpdate


async def claim_update(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """True for the first delivery of `update_id`; a second one (also racing on another
    worker, which then waits for the first to commit) gets False and must do nothing."""
    statement = (
        insert_for(session, ProcessedUpdate)
        .values(update_id=update_id, at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount == 1
