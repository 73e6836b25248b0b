"""Figures for the operator (bot/health.py: /healthz and /metrics), read at scrape time.

Counts and ages only: never a name, a text or an id of a person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, OutboxMessage, OutboxStatus
from matching.status import RequestStatus


async def ping(session: AsyncSession) -> None:
    """Raises when the database does not answer."""
    await session.execute(select(1))


async def oldest_due(session: AsyncSession, now: datetime) -> datetime | None:
    """Since when the longest-waiting unsent row has been due (None: nothing is waiting).
    A row being sent right now is leased into the future and does not count."""
    return await session.scalar(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now
        )
    )


async def outbox_counts(session: AsyncSession) -> dict[OutboxStatus, int]:
    """Outbox rows in each state (every state, zero included)."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({OutboxStatus(status): n for status, n in rows})
    return counts


async def open_by_tier(session: AsyncSession) -> dict[int, int]:
    """Requests nobody has taken yet, by the escalation tier they stand in."""
    rows = await session.execute(
        select(HelpRequest.tier, func.count())
        .where(HelpRequest.status == RequestStatus.OPEN)
        .group_by(HelpRequest.tier)
    )
    return {int(tier): n for tier, n in rows}
