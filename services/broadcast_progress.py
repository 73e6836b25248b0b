"""A broadcast's progress: its rows counted by status, and the coordinator's progress message
brought up to date at most every few seconds, then replaced by the final count.

A scheduler tick calls `report_progress`. Each broadcast is claimed with a conditional UPDATE
of `progress_at`, so two processes never report the same moment twice, and the edits keep to
the pace asked for whatever the tick's rate. Edits go to one chat: Telegram counts them against
that chat only (bot/pacing.py), never against the overall budget the broadcast itself uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.broadcast_models import Broadcast
from db.models import OutboxMessage, OutboxStatus
from matching.status import BroadcastStatus
from services.outbox import BroadcastProgress, enqueue

FAILED = (OutboxStatus.FAILED, OutboxStatus.UNREACHABLE, OutboxStatus.EXPIRED)


@dataclass(frozen=True)
class Counts:
    sent: int = 0
    failed: int = 0  # refused (403: the volunteer blocked the bot), parked, or stale
    left: int = 0  # still to send
    not_sent: int = 0  # cancelled before they went out


async def count_rows(session: AsyncSession, broadcast_id: int) -> Counts:
    """Its rows by status: one scan of the index (broadcast_id, status)."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status)
    )
    by_status: dict[OutboxStatus, int] = {OutboxStatus(s): n for s, n in rows.all()}
    return Counts(
        sent=by_status.get(OutboxStatus.SENT, 0),
        failed=sum(by_status.get(s, 0) for s in FAILED),
        left=by_status.get(OutboxStatus.PENDING, 0),
        not_sent=by_status.get(OutboxStatus.CANCELLED, 0),
    )


async def report_progress(session: AsyncSession, *, now: datetime, every: timedelta) -> int:
    """Bring every unfinished broadcast's progress message up to date; returns how many
    messages were queued (the sender is woken for them)."""
    due = await session.scalars(
        select(Broadcast.id).where(
            Broadcast.reported_at.is_(None),
            or_(Broadcast.progress_at.is_(None), Broadcast.progress_at <= now - every),
        )
    )
    queued = 0
    for broadcast_id in list(due):
        queued += await _report(session, broadcast_id, now=now, every=every)
    return queued


async def _claim(session: AsyncSession, broadcast_id: int, now: datetime, every: timedelta) -> bool:
    claimed = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.reported_at.is_(None))
        .where(or_(Broadcast.progress_at.is_(None), Broadcast.progress_at <= now - every))
        .values(progress_at=now)
    )
    return cast(CursorResult[Any], claimed).rowcount == 1


async def _report(
    session: AsyncSession, broadcast_id: int, *, now: datetime, every: timedelta
) -> int:
    if not await _claim(session, broadcast_id, now, every):
        return 0
    counts = await count_rows(session, broadcast_id)
    broadcast = await session.get_one(Broadcast, broadcast_id)
    if counts.left == 0:
        return await _finish(session, broadcast, counts, now)
    if broadcast.status is not BroadcastStatus.RUNNING:
        return 0  # cancelled: a send still under way is waited for
    return await _edit(session, broadcast, counts, now, f"{counts.sent}:{counts.failed}")


async def _finish(
    session: AsyncSession, broadcast: Broadcast, counts: Counts, now: datetime
) -> int:
    """Nothing is left: the final count, once (`reported_at` is set under our claim)."""
    if broadcast.status is BroadcastStatus.RUNNING:
        done = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast.id, Broadcast.status == BroadcastStatus.RUNNING)
            .values(status=BroadcastStatus.DONE, finished_at=now)
        )
        if cast(CursorResult[Any], done).rowcount != 1:  # a cancel came first
            await session.refresh(broadcast)
    broadcast.reported_at = now
    return await _edit(session, broadcast, counts, now, "final")


async def _edit(
    session: AsyncSession, broadcast: Broadcast, counts: Counts, now: datetime, step: str
) -> int:
    """Edit the progress message once it went out (before that, the next tick tries again).
    The key names the counts shown: the same counts are never sent twice."""
    original = broadcast.progress_outbox_id
    if original is None or (step != "final" and not await _was_sent(session, original)):
        return 0
    key = f"broadcast:{broadcast.id}:progress:{step}"
    await _drop_stale_edits(session, broadcast.chat_id, original, key, now)
    payload = BroadcastProgress(
        broadcast_id=broadcast.id,
        total=broadcast.total,
        sent=counts.sent,
        failed=counts.failed,
        left=counts.left,
        not_sent=counts.not_sent,
        state=broadcast.status,
    )
    chat_id = broadcast.chat_id
    await enqueue(
        session, chat_id=chat_id, payload=payload, dedupe_key=key, now=now, edit_of=original
    )
    return 1


async def _was_sent(session: AsyncSession, row_id: int) -> bool:
    status = await session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id))
    return status is OutboxStatus.SENT


async def _drop_stale_edits(
    session: AsyncSession, chat_id: int, original: int, key: str, now: datetime
) -> None:
    """An earlier edit still waiting (a 429 pause) says less than this one: it need not go.
    One a sender holds right now (its lease lies ahead) is left alone."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.edit_of == original)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        .where(OutboxMessage.dedupe_key != key)
        .values(status=OutboxStatus.CANCELLED, last_error="a newer count")
    )
