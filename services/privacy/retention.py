"""Keeping personal data no longer than needed: a daily job (bot/scheduler.py). Each rule is
one set-based statement (or a short loop over few people), safe to run twice or in two
processes at once: a second run finds nothing left to do. What a run did goes to the audit log
(AuditAction.RETENTION_RUN, its counts in the row's detail), and /privacy_report shows it.

- closed requests (done, cancelled, closed) lose their texts and their link to the seeker after
  `Retention.closed` (a setting; the statistics keep topic, district, language, dates, outcome);
- sent messages lose their payload after 7 days and are deleted after 30;
- processed update ids go after 7 days (Telegram redelivers for a day at most);
- volunteers unreachable or inactive for a year are asked whether they want to stay; a month
  of silence after that, they are erased (services/privacy/forget.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import offloading
from db.meeting_models import Attendance, Rsvp
from db.models import (
    HelpRequest,
    Offer,
    OutboxMessage,
    OutboxStatus,
    ProcessedUpdate,
    RequestEvent,
    User,
    Volunteer,
)
from matching.status import AuditAction, Priority, RequestStatus, VolunteerStatus
from services.audit import record
from services.outbox import enqueue
from services.outbox.payloads import StayQuestion
from services.privacy.forget import erase_person, new_tombstone
from services.privacy.report import format_counts
from services.rules import Rules

CLOSED = (RequestStatus.DONE, RequestStatus.CANCELLED, RequestStatus.CLOSED)
SYSTEM = 0  # the audit log's actor for what nobody did by hand


@dataclass(frozen=True, slots=True)
class Retention:
    closed: timedelta = timedelta(days=90)
    payload: timedelta = timedelta(days=7)
    sent: timedelta = timedelta(days=30)
    updates: timedelta = timedelta(days=7)
    silence: timedelta = timedelta(days=365)
    answer: timedelta = timedelta(days=30)


@offloading
async def run_retention(
    session: AsyncSession, *, rules: Rules, now: datetime, keep: Retention | None = None
) -> dict[str, int]:
    """Every rule once; the counts are also written to the audit log."""
    keep = keep or Retention(closed=timedelta(days=rules.keep_closed_days))
    counts = {
        "requests": await unlink_closed_requests(session, now=now, keep=keep.closed),
        **await prune_outbox(session, now=now, keep=keep),
        "updates": await prune_updates(session, now=now, keep=keep.updates),
        "asked": await ask_silent_volunteers(session, now=now, silence=keep.silence),
        "removed": await remove_silent_volunteers(session, rules=rules, now=now, keep=keep),
    }
    action = AuditAction.RETENTION_RUN
    await record(session, actor_id=SYSTEM, action=action, now=now, detail=format_counts(counts))
    return counts


async def unlink_closed_requests(session: AsyncSession, *, now: datetime, keep: timedelta) -> int:
    old = await session.execute(
        select(HelpRequest.id, HelpRequest.seeker_id).where(
            HelpRequest.status.in_(CLOSED),
            HelpRequest.updated_at < now - keep,
            HelpRequest.seeker_id > 0,
        )
    )
    rows = old.all()
    if not rows:
        return 0
    tomb = await new_tombstone(session, now)  # one for the run: nobody counts seekers
    for request_id, seeker_id in rows:
        await session.execute(
            update(RequestEvent)
            .where(RequestEvent.request_id == request_id, RequestEvent.actor_id == seeker_id)
            .values(actor_id=tomb)
        )
    ids = [request_id for request_id, _ in rows]
    await session.execute(
        update(HelpRequest)
        .where(HelpRequest.id.in_(ids))
        .values(seeker_id=tomb, description="", close_reason=None)
    )
    return len(ids)


def _done_before(moment: datetime) -> Any:
    at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
    return and_(OutboxMessage.status != OutboxStatus.PENDING, at < moment)


async def prune_outbox(session: AsyncSession, *, now: datetime, keep: Retention) -> dict[str, int]:
    gone = await session.execute(delete(OutboxMessage).where(_done_before(now - keep.sent)))
    emptied = await session.execute(
        update(OutboxMessage)
        .where(_done_before(now - keep.payload), cast(OutboxMessage.payload, String) != "{}")
        .values(payload={})
        .execution_options(synchronize_session=False)
    )
    return {"payloads": _count(emptied), "messages": _count(gone)}


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


async def prune_updates(session: AsyncSession, *, now: datetime, keep: timedelta) -> int:
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < now - keep))
    return _count(result)


def _silent_since(since: datetime) -> Any:
    """Approved volunteers who did nothing since `since`, or whom Telegram refuses since then."""
    me = Volunteer.user_id
    did = or_(
        # NULL would make the whole NOT unknown: the last "Stay", else the day they joined.
        func.coalesce(Volunteer.active_at, Volunteer.created_at) >= since,
        exists().where(Offer.volunteer_id == me, Offer.answered_at >= since),
        exists().where(Rsvp.volunteer_id == me, Rsvp.answered_at >= since),
        exists().where(Attendance.volunteer_id == me, Attendance.occurrence >= since),
    )
    unreachable = exists().where(
        User.id == me, User.reachable.is_(False), User.unreachable_at < since
    )
    return and_(me > 0, Volunteer.status == VolunteerStatus.APPROVED, or_(~did, unreachable))


async def ask_silent_volunteers(session: AsyncSession, *, now: datetime, silence: timedelta) -> int:
    due = select(Volunteer.user_id).where(
        _silent_since(now - silence), Volunteer.stay_asked_at.is_(None)
    )
    # Who did something since they were asked keeps their place, and is asked again next time.
    await session.execute(
        update(Volunteer)
        .where(Volunteer.stay_asked_at.is_not(None), ~_silent_since(now - silence))
        .values(stay_asked_at=None)
    )
    asked = list(await session.scalars(due))
    for user_id in asked:
        key = f"stay:{user_id}:{now.date().isoformat()}"
        await enqueue(
            session,
            chat_id=user_id,
            payload=StayQuestion(),
            dedupe_key=key,
            now=now,
            priority=Priority.BULK,
        )
    if asked:
        await session.execute(
            update(Volunteer).where(Volunteer.user_id.in_(asked)).values(stay_asked_at=now)
        )
    return len(asked)


async def remove_silent_volunteers(
    session: AsyncSession, *, rules: Rules, now: datetime, keep: Retention
) -> int:
    due = select(Volunteer.user_id).where(
        Volunteer.stay_asked_at < now - keep.answer, _silent_since(now - keep.silence)
    )
    removed = list(await session.scalars(due.order_by(Volunteer.user_id)))
    for user_id in removed:
        await erase_person(session, user_id=user_id, rules=rules, now=now)
    return len(removed)


async def was_asked(session: AsyncSession, *, user_id: int) -> bool:
    """The volunteer was asked whether they stay, and has not answered yet."""
    asked = select(Volunteer.stay_asked_at).where(Volunteer.user_id == user_id)
    return await session.scalar(asked) is not None


async def stay(session: AsyncSession, *, user_id: int, now: datetime) -> bool:
    """The volunteer answered "Stay": active now, and asked again only after another year."""
    result = await session.execute(
        update(Volunteer)
        .where(Volunteer.user_id == user_id)
        .values(active_at=now, stay_asked_at=None)
    )
    return _count(result) == 1
