"""The outbox queries of the sender (bot/sender.py): which rows are due, and how they change.

Only the lowest pending id of each chat is eligible, so rows go out strictly in order per
chat: an edit never overtakes the message it edits, and a row held back by a 429 holds back
its chat. Changes to a row nobody has claimed are guarded by the `not_before` value read, so
that of two senders only one wins a row.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Table, Update, bindparam, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import OutboxMessage, OutboxStatus, User
from services.outbox.payloads import Notice, SendFailedNotice
from services.outbox.write import enqueue


@dataclass(frozen=True)
class Due:
    """A row that may go out now, with what sending it needs to know."""

    id: int
    chat_id: int
    kind: str
    payload: dict[str, Any]  # as stored: services.outbox.from_json makes it a payload
    edit_of: int | None
    not_before: datetime
    attempts: int
    locale: str | None
    language_code: str | None
    reachable: bool | None  # None: no user row (a group, or someone we never met)
    target_status: OutboxStatus | None  # of the row an edit edits
    target_message_id: int | None
    priority: int = 2
    expires_at: datetime | None = None

    @classmethod
    def leased(cls, row: OutboxMessage) -> Due:
        """A row this process just wrote, already leased to itself (an update's answer)."""
        return cls(
            id=row.id,
            chat_id=row.chat_id,
            kind=row.kind,
            payload=row.payload,
            edit_of=row.edit_of,
            not_before=row.not_before,
            attempts=row.attempts,
            locale=None,
            language_code=None,
            reachable=None,
            target_status=None,
            target_message_id=None,
            priority=row.priority,
            expires_at=row.expires_at,
        )


def locale_for(row: Due, available: Collection[str], default: str) -> str:
    """The reader's locale: their choice, else their Telegram language if we have it; groups
    get the deployment's default."""
    if row.chat_id < 0:
        return default
    if row.locale:
        return row.locale
    code = (row.language_code or "").lower()
    for candidate in (code, code.split("-")[0]):
        if candidate in available:
            return candidate
    return default


def _heads() -> Any:
    """The lowest pending id per chat: the only row of each chat that may go out next."""
    return (
        select(func.min(OutboxMessage.id).label("id"))
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .group_by(OutboxMessage.chat_id)
        .subquery()
    )


def _due_query(now: datetime, limit: int) -> Select[Any]:
    heads = _heads()
    target = aliased(OutboxMessage)
    row = OutboxMessage
    return (
        select(row.id, row.chat_id, row.kind, row.payload, row.edit_of, row.not_before)
        .add_columns(row.attempts, User.locale, User.language_code, User.reachable)
        .add_columns(target.status, target.message_id, row.priority, row.expires_at)
        .join(heads, heads.c.id == row.id)
        .outerjoin(User, User.id == row.chat_id)
        .outerjoin(target, target.id == row.edit_of)
        .where(row.not_before <= now)
        .order_by(row.priority, row.id)
        .limit(limit)
    )


async def fetch_due(session: AsyncSession, now: datetime, limit: int) -> list[Due]:
    return [Due(*r) for r in (await session.execute(_due_query(now, limit))).all()]


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest row that heads its chat's queue becomes due."""
    heads = _heads()
    query = select(func.min(OutboxMessage.not_before)).join(heads, heads.c.id == OutboxMessage.id)
    return await session.scalar(query)


_OUTBOX = cast(Table, OutboxMessage.__table__)  # Core, not ORM: no per-row matched check
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(status=OutboxStatus.SENT, message_id=bindparam("mid"), sent_at=bindparam("at"))
)


async def mark_sent(session: AsyncSession, sent: Sequence[dict[str, Any]]) -> None:
    """Record many sent rows in one statement: {"row_id", "mid", "at"} each."""
    await session.execute(_MARK_SENT, list(sent))


def by_id(row_id: int, **values: Any) -> Update:
    """Change a row we have claimed."""
    return update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values)


def guarded(row: Due, **values: Any) -> Update:
    """Change a row only if nobody has touched it since we read it."""
    return (
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.status == OutboxStatus.PENDING)
        .where(OutboxMessage.not_before == row.not_before)
        .values(**values)
    )


async def claim(session: AsyncSession, due: Sequence[Due], until: datetime) -> set[int]:
    """Lease the rows nobody has touched since we read them; returns the ids we won."""
    if not due:
        return set()
    read = tuple_(OutboxMessage.id, OutboxMessage.not_before)
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .where(read.in_([(row.id, row.not_before) for row in due]))
        .values(not_before=until)
        .returning(OutboxMessage.id)
    )
    return set((await session.scalars(statement)).all())


async def changed(session: AsyncSession, statement: Update) -> bool:
    return cast(CursorResult[Any], await session.execute(statement)).rowcount == 1


async def park_failed(
    session: AsyncSession,
    row: Due,
    error: str,
    attempts: int,
    *,
    claimed: bool,
    notify: Sequence[int],
    now: datetime,
) -> None:
    """Mark the row failed and tell the coordinators, unless the row is such a notice itself:
    a failure notice that fails must not spawn more."""
    values = {"status": OutboxStatus.FAILED, "attempts": attempts, "last_error": error}
    statement = by_id(row.id, **values) if claimed else guarded(row, **values)
    if not await changed(session, statement) or row.kind == Notice.COORDINATOR_SEND_FAILED:
        return
    await _tell_failed(session, row, error, notify=notify, now=now)


async def _tell_failed(
    session: AsyncSession, row: Due, error: str, *, notify: Sequence[int], now: datetime
) -> None:
    """Each coordinator chat hears that the row could not be sent, and why."""
    payload = SendFailedNotice(chat_id=row.chat_id, failed_kind=row.kind, error=error)
    for chat_id in notify:
        await enqueue(
            session,
            chat_id=chat_id,
            payload=payload,
            dedupe_key=f"send_failed:{row.id}:{chat_id}",
            now=now,
        )
