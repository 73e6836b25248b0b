"""Reading requests for people to see: a seeker's open ones, a volunteer's tasks, one by number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest
from matching.status import RequestStatus
from matching.text import clean
from services.requests import OPEN_STATES


async def open_requests_of(session: AsyncSession, *, seeker_id: int) -> list[HelpRequest]:
    rows = await session.scalars(
        select(HelpRequest)
        .where(HelpRequest.seeker_id == seeker_id, HelpRequest.status.in_(OPEN_STATES))
        .order_by(HelpRequest.created_at)
    )
    return list(rows)


async def find_by_ref(session: AsyncSession, ref: str) -> HelpRequest | None:
    # Typed by a person: a NUL in it would make PostgreSQL refuse the whole statement.
    wanted = clean(ref).strip().upper()
    return await session.scalar(select(HelpRequest).where(HelpRequest.ref == wanted))


async def get_request(session: AsyncSession, request_id: int) -> HelpRequest | None:
    return await session.get(HelpRequest, request_id)


async def tasks_of(session: AsyncSession, *, volunteer_id: int) -> list[HelpRequest]:
    """The requests a volunteer has taken and not yet done."""
    rows = await session.scalars(
        select(HelpRequest).where(
            HelpRequest.assignee_id == volunteer_id,
            HelpRequest.status == RequestStatus.ASSIGNED,
        )
    )
    return list(rows)
