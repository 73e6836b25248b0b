"""Writing to the transactional outbox: a payload per message, its kind taken from its class."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for
from db.models import HelpRequest, OutboxMessage, OutboxStatus
from matching.status import Priority
from services.outbox.payloads import HeldAnswer, Payload, RequestNews


def _row(
    dedupe_key: str,
    chat_id: int,
    payload: Payload,
    priority: Priority,
    now: datetime,
    *,
    edit_of: int | None = None,
) -> dict[str, Any]:
    """A new outbox row's values, due now."""
    return {
        "dedupe_key": dedupe_key,
        "chat_id": chat_id,
        "kind": payload.kind.value,
        "payload": payload.to_json(),
        "edit_of": edit_of,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "priority": priority,
        "not_before": now,
        "created_at": now,
    }


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    payload: Payload,
    dedupe_key: str,
    now: datetime,
    edit_of: int | None = None,
    priority: Priority = Priority.NOTICE,
) -> OutboxMessage:
    """Add a message to send once the transaction commits. The same dedupe key twice yields the
    row written first, so a step that runs again cannot send its messages twice; the insert
    skips a duplicate atomically, also when two transactions race (PostgreSQL)."""
    values = _row(dedupe_key, chat_id, payload, priority, now, edit_of=edit_of)
    await session.execute(
        insert_for(session, OutboxMessage)
        .values(values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    row = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    assert row is not None
    return row


async def enqueue_many(
    session: AsyncSession,
    messages: Sequence[tuple[str, int, Payload, Priority]],
    *,
    now: datetime,
    expires_at: datetime | None = None,
    broadcast_id: int | None = None,
) -> dict[str, int]:
    """Several messages, (dedupe key, chat id, payload, priority) each, in two statements
    however many; returns the row id for each dedupe key (the row written first, as
    `enqueue`). Past `expires_at` they are no use any more and are not sent. A broadcast's
    messages carry its id, so that they can be counted and cancelled together."""
    if not messages:
        return {}
    extra = {"expires_at": expires_at, "broadcast_id": broadcast_id}
    values = [_row(*message, now) | extra for message in messages]
    table = OutboxMessage.__table__
    # executemany: one INSERT of many rows (insertmanyvalues), the statement cached.
    written = await session.execute(
        insert_for(session, table)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(table.c.dedupe_key, table.c.id),
        values,
    )
    ids: dict[str, int] = {key: row_id for key, row_id in written}
    earlier = [key for key, *_ in messages if key not in ids]
    if earlier:  # written before under the same keys: those rows stand
        found = await session.execute(
            select(table.c.dedupe_key, table.c.id).where(table.c.dedupe_key.in_(earlier))
        )
        ids |= {key: row_id for key, row_id in found}
    return ids


def add_answers(
    session: AsyncSession,
    *,
    answers: Sequence[tuple[int, HeldAnswer]],
    key: str,
    now: datetime,
    leased_until: datetime,
) -> list[OutboxMessage]:
    """The answers to one update, (chat id, call) each, leased to the process that handles the
    update: it sends them right after the commit; after a crash the lease runs out and any
    sender delivers them."""
    rows = [
        OutboxMessage(
            dedupe_key=f"answer:{key}:{n}",
            chat_id=chat_id,
            kind=answer.kind.value,
            payload=answer.to_json(),
            status=OutboxStatus.PENDING,
            attempts=0,
            priority=Priority.INTERACTIVE,
            not_before=leased_until,
            created_at=now,
        )
        for n, (chat_id, answer) in enumerate(answers)
    ]
    session.add_all(rows)
    return rows


async def tell(
    session: AsyncSession,
    request: HelpRequest,
    news: type[RequestNews],
    *,
    key: str,
    now: datetime,
    chat_id: int | None = None,
) -> OutboxMessage:
    """A short notice about `request` to its seeker (or to `chat_id`), once per `key`."""
    return await enqueue(
        session,
        chat_id=request.seeker_id if chat_id is None else chat_id,
        payload=news(ref=request.ref, request_id=request.id),
        dedupe_key=key,
        now=now,
    )


async def replace_sent(
    session: AsyncSession,
    *,
    original_id: int | None,
    payload: Payload,
    dedupe_key: str,
    now: datetime,
) -> None:
    """Turn an earlier message into `payload`: edit it if it went out, or cancel it if it has not.

    The edit is queued even when the original is still pending, because the sender may be
    delivering it at this very moment; the sender drops the edit if the original never went out.
    """
    if original_id is None:
        return
    original = await session.get(OutboxMessage, original_id)
    if original is None:
        return
    if original.status is OutboxStatus.PENDING:
        original.status = OutboxStatus.CANCELLED
    await enqueue(
        session,
        chat_id=original.chat_id,
        payload=payload,
        dedupe_key=dedupe_key,
        now=now,
        edit_of=original.id,
    )
