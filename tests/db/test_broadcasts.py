"""Broadcasts on the real database: one row per recipient, counts by status, the progress
message at most every few seconds and the final count once, a cancel that races the sender,
and two taps on Send that race each other."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.ledger import Ledger
from db.broadcast_models import Broadcast
from db.models import OutboxMessage, OutboxStatus
from matching.status import BroadcastStatus
from services.broadcast_progress import Counts, count_rows, report_progress
from services.broadcasts import Cancel, Draft, Start, Started, cancel_broadcast, start_broadcast
from services.clock import FrozenClock
from services.outbox import Notice
from services.outbox import queue as rows
from services.rules import Rules
from services.volunteer_queries import VolunteerFilter
from tests.conftest import COORDINATOR_ID
from tests.factories import add_volunteers
from tests.racing import race

Sessions = async_sessionmaker[AsyncSession]
EVERY = timedelta(seconds=3)
RECIPIENTS = range(1001, 1021)


async def started(sessions: Sessions, clock: FrozenClock) -> Started:
    """Twenty volunteers, and a broadcast to them all."""
    async with sessions() as s, s.begin():
        await add_volunteers(s, RECIPIENTS, now=clock.now())
        draft = Draft(key="draft-1", text="Summer party on Friday", filter=VolunteerFilter())
        return await start_broadcast(
            s, draft=draft, created_by=COORDINATOR_ID, chat_id=COORDINATOR_ID, now=clock.now()
        )


async def set_status(sessions: Sessions, status: OutboxStatus, *chat_ids: int) -> None:
    async with sessions() as s, s.begin():
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id.in_(chat_ids), OutboxMessage.broadcast_id.is_not(None))
            .values(status=status)
        )


async def progress_edits(sessions: Sessions) -> list[dict[str, object]]:
    async with sessions() as s:
        found = await s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == Notice.BROADCAST_PROGRESS)
            .where(OutboxMessage.edit_of.is_not(None))
            .order_by(OutboxMessage.id)
        )
        return [row.payload for row in found]


async def report(sessions: Sessions, clock: FrozenClock) -> int:
    async with sessions() as s, s.begin():
        return await report_progress(s, now=clock.now(), every=EVERY)


async def progress_went_out(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == Notice.BROADCAST_PROGRESS)
            .values(status=OutboxStatus.SENT, message_id=77)
        )


async def test_rows_are_counted_by_status_when_some_went_out_and_some_failed(
    sessions: Sessions, clock: FrozenClock
) -> None:
    done = await started(sessions, clock)
    assert done.outcome is Start.STARTED and done.total == 20 and done.broadcast_id is not None
    await set_status(sessions, OutboxStatus.SENT, *range(1001, 1011))
    await set_status(sessions, OutboxStatus.UNREACHABLE, 1011, 1012)
    await set_status(sessions, OutboxStatus.FAILED, 1013)
    await set_status(sessions, OutboxStatus.EXPIRED, 1014)
    async with sessions() as s:
        counts = await count_rows(s, done.broadcast_id)
    assert counts == Counts(sent=10, failed=4, left=6, not_sent=0)


async def test_the_progress_is_edited_at_most_every_few_seconds_when_counts_change(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await started(sessions, clock)
    assert await report(sessions, clock) == 0  # the progress message has not gone out yet
    await progress_went_out(sessions)
    clock.advance(EVERY)
    await set_status(sessions, OutboxStatus.SENT, 1001, 1002)
    assert await report(sessions, clock) == 1
    await set_status(sessions, OutboxStatus.SENT, 1003)
    clock.advance(EVERY / 2)
    assert await report(sessions, clock) == 0  # too soon
    clock.advance(EVERY / 2)
    assert await report(sessions, clock) == 1
    edits = await progress_edits(sessions)
    assert [(e["sent"], e["left"], e["state"]) for e in edits] == [
        (2, 18, "running"),
        (3, 17, "running"),
    ]


async def test_the_final_count_is_written_once_when_nothing_is_left(
    sessions: Sessions, clock: FrozenClock
) -> None:
    done = await started(sessions, clock)
    await progress_went_out(sessions)
    await set_status(sessions, OutboxStatus.SENT, *RECIPIENTS)
    await set_status(sessions, OutboxStatus.UNREACHABLE, 1020)
    assert await report(sessions, clock) == 1
    clock.advance(EVERY * 3)
    assert await report(sessions, clock) == 0
    [final] = await progress_edits(sessions)
    assert (final["sent"], final["failed"], final["left"], final["state"]) == (19, 1, 0, "done")
    async with sessions() as s:
        broadcast = await s.get_one(Broadcast, done.broadcast_id)
    assert broadcast.status is BroadcastStatus.DONE and broadcast.reported_at is not None


async def test_pending_rows_are_not_sent_when_the_broadcast_is_cancelled(
    sessions: Sessions, clock: FrozenClock
) -> None:
    done = await started(sessions, clock)
    assert done.broadcast_id is not None
    await progress_went_out(sessions)
    await set_status(sessions, OutboxStatus.SENT, 1001, 1002, 1003)
    async with sessions() as s, s.begin():
        outcome = await cancel_broadcast(
            s, broadcast_id=done.broadcast_id, actor_id=COORDINATOR_ID, now=clock.now()
        )
    assert outcome is Cancel.CANCELLED
    async with sessions() as s, s.begin():
        again = await cancel_broadcast(
            s, broadcast_id=done.broadcast_id, actor_id=COORDINATOR_ID, now=clock.now()
        )
    assert again is Cancel.NOT_RUNNING
    assert await report(sessions, clock) == 0  # sends under way are waited for, a tick long
    clock.advance(EVERY)
    assert await report(sessions, clock) == 1
    [final] = await progress_edits(sessions)
    assert (final["sent"], final["not_sent"], final["state"]) == (3, 17, "cancelled")


async def test_one_broadcast_is_made_when_two_sends_of_one_draft_race(
    engine: AsyncEngine, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, RECIPIENTS, now=clock.now())

    async def send() -> Start:
        async with sessions() as s, s.begin():
            draft = Draft(key="same", text="Hello", filter=VolunteerFilter())
            return (
                await start_broadcast(
                    s,
                    draft=draft,
                    created_by=COORDINATOR_ID,
                    chat_id=COORDINATOR_ID,
                    now=clock.now(),
                )
            ).outcome

    outcomes, overlapped = await race(engine, send, send)
    assert overlapped is (engine.dialect.name == "postgresql")
    assert sorted(outcomes) == [Start.ALREADY, Start.STARTED]
    async with sessions() as s:
        assert len((await s.scalars(select(Broadcast))).all()) == 1
        recipients = await s.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.broadcast_id.is_not(None))
        )
        assert sorted(recipients) == list(RECIPIENTS)


async def test_each_row_ends_sent_or_cancelled_once_when_a_cancel_races_the_sender(
    engine: AsyncEngine, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> None:
    done = await started(sessions, clock)
    assert done.broadcast_id is not None
    ledger = Ledger(sessions, clock, rules, 3, backoff=(0.1, 1.0))
    lease = timedelta(seconds=60)
    async with sessions() as s:
        due = [r for r in await rows.fetch_due(s, clock.now(), 100) if r.kind == Notice.BROADCAST]
    claimed = await ledger.claim(due, lease)
    assert len(claimed) == 20

    async def sender() -> set[int]:
        sent: set[int] = set()
        for row in claimed.values():
            current = await ledger.keep_lease(row, lease)  # right before the call
            if current is not None:
                await ledger.record(current, 5000 + row.id)  # Telegram's message id
                sent.add(row.id)
        await ledger.settled()
        return sent

    async def cancel() -> Cancel:
        async with sessions() as s, s.begin():
            return await cancel_broadcast(
                s, broadcast_id=done.broadcast_id or 0, actor_id=COORDINATOR_ID, now=clock.now()
            )

    (sent, outcome), overlapped = await race(engine, sender, cancel)
    assert overlapped is (engine.dialect.name == "postgresql")
    assert outcome is Cancel.CANCELLED
    async with sessions() as s:
        stored = {
            r.id: r.status
            for r in await s.scalars(
                select(OutboxMessage).where(OutboxMessage.broadcast_id == done.broadcast_id)
            )
        }
        counts = await count_rows(s, done.broadcast_id)
    assert {i for i, status in stored.items() if status is OutboxStatus.SENT} == sent
    assert set(stored.values()) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}
    assert counts.sent + counts.not_sent == 20 and counts.left == 0
