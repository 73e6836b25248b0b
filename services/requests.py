"""A seeker's requests: submit, list, cancel."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.models import HelpRequest, Offer, User
from matching.status import OfferStatus, RequestStatus, WhenKind
from services.escalation import run_step
from services.events import EventKind, record
from services.locks import reload_request
from services.offering import withdraw_open_offers
from services.outbox import CancelledNotice, WithdrawnNotice, tell
from services.rules import Rules

# No 0/O, 1/I/L: a reference is read aloud on the phone and typed by coordinators.
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 31**6 references: a collision is rare, eight in a row would mean something else is wrong.
REF_ATTEMPTS = 8
OPEN_STATES = (RequestStatus.OPEN, RequestStatus.ASSIGNED)


@dataclass(frozen=True)
class RequestDraft:
    skill: str
    district: str
    when_kind: WhenKind
    when_date: date | None
    description: str
    language: str
    consent: bool


class SubmitOutcome(enum.StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"  # this form was sent before (a double tap): nothing new
    TOO_MANY = "too_many"  # the seeker has as many open requests as allowed


@dataclass(frozen=True)
class Submitted:
    outcome: SubmitOutcome
    request: HelpRequest | None  # None only when TOO_MANY
    open_count: int = 0  # when TOO_MANY: how many are open


class CancelOutcome(enum.StrEnum):
    CANCELLED = "cancelled"
    TAKEN = "taken"  # a volunteer took it in the meantime: not cancelled
    DONE = "done"
    CLOSED = "closed"  # a coordinator closed it
    ALREADY_CANCELLED = "already_cancelled"
    NOT_FOUND = "not_found"


def _open_of(seeker_id: int) -> Select[int]:
    """How many of the seeker's requests are open."""
    return (
        select(func.count())
        .select_from(HelpRequest)
        .where(HelpRequest.seeker_id == seeker_id, HelpRequest.status.in_(OPEN_STATES))
    )


def _made_by_form(seeker_id: int, draft_key: str) -> ColumnElement[bool]:
    """The request that the seeker's form `draft_key` made."""
    return and_(HelpRequest.draft_key == draft_key, HelpRequest.seeker_id == seeker_id)


async def count_open(session: AsyncSession, *, seeker_id: int) -> int:
    return await session.scalar(_open_of(seeker_id)) or 0


async def sent_request(
    session: AsyncSession, *, seeker_id: int, draft_key: str
) -> HelpRequest | None:
    """The request that the seeker's form `draft_key` made, if it was sent."""
    return await session.scalar(select(HelpRequest).where(_made_by_form(seeker_id, draft_key)))


async def submit_request(
    session: AsyncSession,
    *,
    seeker_id: int,
    draft: RequestDraft,
    rules: Rules,
    now: datetime,
    draft_key: str | None = None,
) -> Submitted:
    """Create the request and take its first escalation step in the same transaction, so the
    offers are in the outbox the moment the request exists.

    The same `draft_key` (one per form) makes one request however often it is sent: a second
    submit finds the first. One seeker's submits take turns on their user row, so the limit
    on open requests counts what a racing submit committed."""
    await session.execute(select(User.id).where(User.id == seeker_id).with_for_update())
    refused = await _refused(session, seeker_id=seeker_id, draft_key=draft_key, rules=rules)
    if refused is not None:
        return refused
    return await _create(
        session, seeker_id=seeker_id, draft=draft, rules=rules, now=now, draft_key=draft_key
    )


async def _refused(
    session: AsyncSession, *, seeker_id: int, draft_key: str | None, rules: Rules
) -> Submitted | None:
    """Why no new request is made: this form was sent already, or too many are open. Both
    asked in one statement."""
    sent_id: Any = null()
    if draft_key is not None:
        sent_id = (
            select(HelpRequest.id).where(_made_by_form(seeker_id, draft_key)).scalar_subquery()
        )
    open_now = _open_of(seeker_id).scalar_subquery()
    found = (await session.execute(select(sent_id, open_now))).one()
    if found[0] is not None:
        return Submitted(SubmitOutcome.ALREADY_SENT, await session.get(HelpRequest, found[0]))
    if found[1] >= rules.max_open_requests:
        return Submitted(SubmitOutcome.TOO_MANY, None, found[1])
    return None


async def _create(
    session: AsyncSession,
    *,
    seeker_id: int,
    draft: RequestDraft,
    rules: Rules,
    now: datetime,
    draft_key: str | None,
) -> Submitted:
    """Insert the request and take its first escalation step."""
    request = await _insert(session, _values(seeker_id, draft, rules, now, draft_key))
    if request is None:  # the same form, committed by a racing submit
        assert draft_key is not None
        sent = await sent_request(session, seeker_id=seeker_id, draft_key=draft_key)
        return Submitted(SubmitOutcome.ALREADY_SENT, sent)
    record(session, request_id=request.id, kind=EventKind.CREATED, now=now, actor_id=seeker_id)
    await run_step(session, request, rules=rules, now=now)
    return Submitted(SubmitOutcome.SENT, request)


def _values(
    seeker_id: int, draft: RequestDraft, rules: Rules, now: datetime, draft_key: str | None
) -> dict[str, Any]:
    urgent = draft.when_kind is WhenKind.TODAY
    return {
        "seeker_id": seeker_id,
        "skill": draft.skill,
        "district": draft.district,
        "when_kind": draft.when_kind,
        "when_date": draft.when_date,
        "description": draft.description,
        "language": draft.language,
        "consent": draft.consent,
        "urgent": urgent,
        "status": RequestStatus.OPEN,
        "policy": rules.policy_for(urgent=urgent).to_dict(),
        "tier": 0,
        "step": 0,
        "steps_run": 0,
        "next_step_at": None,
        "draft_key": draft_key,
        "created_at": now,
        "updated_at": now,
    }


async def _insert(session: AsyncSession, values: dict[str, Any]) -> HelpRequest | None:
    """Insert the request under a new reference and return it as written (RETURNING: no
    second look-up); None if its draft key exists already.

    The unique constraints decide, not a look-up before: ON CONFLICT DO NOTHING skips a taken
    reference or draft key without aborting the transaction (PostgreSQL would abort it on a
    failed plain INSERT), and also when the conflicting row is not committed yet."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for _attempt in range(REF_ATTEMPTS):
        ref = "".join(secrets.choice(REF_ALPHABET) for _ in range(6))
        statement = (
            insert(HelpRequest)
            .values(ref=ref, **values)
            .on_conflict_do_nothing()
            .returning(HelpRequest)
        )
        request = await session.scalar(statement)
        if request is not None:
            return request
        key = values["draft_key"]
        if key is not None and await session.scalar(
            select(HelpRequest.id).where(HelpRequest.draft_key == key)
        ):
            return None
    raise RuntimeError(f"no free request reference after {REF_ATTEMPTS} attempts")


async def cancel_request(
    session: AsyncSession, *, request_id: int, seeker_id: int, now: datetime
) -> CancelOutcome:
    """Cancel an open or assigned request, but only as the seeker knows it: if a volunteer took
    it since this transaction looked (a racing accept or assign), it stays with them and the
    seeker hears so; the seeker can still cancel it then, knowing."""
    seen = await reload_request(session, request_id)
    if seen is None or seen.seeker_id != seeker_id:
        return CancelOutcome.NOT_FOUND
    if seen.status not in OPEN_STATES:
        return _not_cancelled(seen)
    row = await _cancel_as_seen(session, request_id, seen.assignee_id, now=now)
    request = await reload_request(session, request_id)
    assert request is not None
    if row is None:
        return _not_cancelled(request)
    await withdraw_open_offers(session, request, reason=WithdrawnNotice, now=now)
    if row.assignee_id is not None:
        await _end_assignment(session, request, row.assignee_id, now=now)
    record(session, request_id=request.id, kind=EventKind.CANCELLED, now=now, actor_id=seeker_id)
    return CancelOutcome.CANCELLED


async def _cancel_as_seen(
    session: AsyncSession, request_id: int, assignee_id: int | None, *, now: datetime
) -> Row[Any] | None:
    """The conditional UPDATE: cancel if the request is open or assigned, and nobody but
    `assignee_id` has taken it. The row carries the assignee it had; None if not cancelled."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(HelpRequest)
        .where(
            HelpRequest.id == request_id,
            HelpRequest.status.in_(OPEN_STATES),
            or_(HelpRequest.assignee_id.is_(None), HelpRequest.assignee_id == assignee_id),
        )
        .values(status=RequestStatus.CANCELLED, next_step_at=None, updated_at=now)
        .returning(HelpRequest.assignee_id)
        .execution_options(synchronize_session=False)
    )
    return result.first()


def _not_cancelled(request: HelpRequest) -> CancelOutcome:
    return {
        RequestStatus.ASSIGNED: CancelOutcome.TAKEN,
        RequestStatus.DONE: CancelOutcome.DONE,
        RequestStatus.CLOSED: CancelOutcome.CLOSED,
        RequestStatus.CANCELLED: CancelOutcome.ALREADY_CANCELLED,
    }.get(request.status, CancelOutcome.NOT_FOUND)


async def _end_assignment(
    session: AsyncSession, request: HelpRequest, assignee: int, *, now: datetime
) -> None:
    offer = await session.scalar(
        select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id == assignee)
    )
    if offer is not None:
        offer.status = OfferStatus.WITHDRAWN
    key = f"cancelled:{request.id}:{assignee}"
    await tell(session, request, CancelledNotice, key=key, now=now, chat_id=assignee)


__all__ = [
    "CancelOutcome",
    "RequestDraft",
    "Rules",
    "SubmitOutcome",
    "Submitted",
    "cancel_request",
    "count_open",
    "sent_request",
    "submit_request",
]
