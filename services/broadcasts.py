"""Broadcasts: a coordinator's message to every volunteer a filter picks.

Sending writes, in one transaction, the broadcast, one outbox row per recipient (at the lowest
priority, so that answers and offers go first), the coordinator's progress message and the
audit row. The rows carry the broadcast's id: its progress is one indexed count by status
(services/broadcast_progress.py), and a cancel is one UPDATE of the rows still pending.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.broadcast_models import Broadcast
from db.dialect import insert_for
from db.engine import offloading
from db.models import OutboxMessage, OutboxStatus
from matching.status import AuditAction, BroadcastStatus, Priority, Standing
from services import audit
from services.outbox import BroadcastMessage, BroadcastProgress, enqueue, enqueue_many
from services.volunteer_queries import VolunteerFilter, volunteer_ids

CHUNK = 500  # recipients per INSERT: far below either database's limit on bound parameters


class Start(enum.StrEnum):
    STARTED = "started"
    ALREADY = "already"  # this draft was sent before (a second tap on Send)
    NOBODY = "nobody"  # the filter picks nobody now


@dataclass(frozen=True)
class Started:
    outcome: Start
    broadcast_id: int | None = None
    total: int = 0


@dataclass(frozen=True)
class Draft:
    """What a coordinator wrote, to whom, and the key of their draft."""

    key: str
    text: str
    filter: VolunteerFilter


def progress_key(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:progress"


@offloading
async def start_broadcast(
    session: AsyncSession, *, draft: Draft, created_by: int, chat_id: int, now: datetime
) -> Started:
    """Send `draft` to the volunteers its filter picks now. The draft's key is unique: of two
    taps on Send (or two racing transactions) one starts the broadcast, the other finds it."""
    known = await session.scalar(select(Broadcast).where(Broadcast.draft_key == draft.key))
    if known is not None:
        return Started(Start.ALREADY, known.id, known.total)
    banned = draft.filter.standing is Standing.BANNED  # they hear nothing from the agency
    recipients = [] if banned else await volunteer_ids(session, draft.filter, now=now)
    if not recipients:
        return Started(Start.NOBODY)
    broadcast_id = await _insert(session, draft, created_by, chat_id, len(recipients), now)
    if broadcast_id is None:  # another transaction inserted it meanwhile
        return Started(Start.ALREADY)
    await _enqueue_recipients(session, broadcast_id, draft.text, recipients, now)
    progress = await enqueue(
        session,
        chat_id=chat_id,
        payload=running(broadcast_id, len(recipients)),
        dedupe_key=progress_key(broadcast_id),
        now=now,
    )
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(progress_outbox_id=progress.id)
    )
    await audit.record(
        session,
        actor_id=created_by,
        action=AuditAction.BROADCAST_SENT,
        now=now,
        detail=f"broadcast {broadcast_id}, {len(recipients)} recipients",
    )
    return Started(Start.STARTED, broadcast_id, len(recipients))


def running(broadcast_id: int, total: int) -> BroadcastProgress:
    return BroadcastProgress(
        broadcast_id=broadcast_id,
        total=total,
        sent=0,
        failed=0,
        left=total,
        not_sent=0,
        state=BroadcastStatus.RUNNING,
    )


async def _insert(
    session: AsyncSession, draft: Draft, created_by: int, chat_id: int, total: int, now: datetime
) -> int | None:
    values: dict[str, Any] = {
        "draft_key": draft.key,
        "created_by": created_by,
        "chat_id": chat_id,
        "text": draft.text,
        "filter": {k: str(v) for k, v in asdict(draft.filter).items() if v is not None},
        "status": BroadcastStatus.RUNNING,
        "total": total,
        "created_at": now,
    }
    statement = (
        insert_for(session, Broadcast)
        .values(values)
        .on_conflict_do_nothing(index_elements=["draft_key"])
        .returning(Broadcast.id)
    )
    return cast(int | None, await session.scalar(statement))


async def _enqueue_recipients(
    session: AsyncSession, broadcast_id: int, text: str, recipients: Sequence[int], now: datetime
) -> None:
    payload = BroadcastMessage(broadcast_id=broadcast_id, text=text)
    for start in range(0, len(recipients), CHUNK):
        messages = [
            (f"broadcast:{broadcast_id}:{user_id}", user_id, payload, Priority.BULK)
            for user_id in recipients[start : start + CHUNK]
        ]
        await enqueue_many(session, messages, now=now, broadcast_id=broadcast_id)


class Cancel(enum.StrEnum):
    CANCELLED = "cancelled"
    NOT_RUNNING = "not_running"  # it ended, or somebody cancelled it already


async def cancel_broadcast(
    session: AsyncSession, *, broadcast_id: int, actor_id: int, now: datetime
) -> Cancel:
    """Stop a running broadcast: its rows still pending are not sent. A row on the wire at this
    moment ends sent or cancelled (the sender checks a bulk row's claim right before it goes
    out), never both; the final count follows once the sends under way are recorded."""
    stopped = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.RUNNING)
        .values(status=BroadcastStatus.CANCELLED, finished_at=now, progress_at=now)
    )
    if cast(CursorResult[Any], stopped).rowcount != 1:
        return Cancel.NOT_RUNNING
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, last_error="broadcast cancelled")
    )
    await audit.record(
        session,
        actor_id=actor_id,
        action=AuditAction.BROADCAST_CANCELLED,
        now=now,
        detail=f"broadcast {broadcast_id}",
    )
    return Cancel.CANCELLED
