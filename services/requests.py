"""A seeker's requests: submit, list, cancel."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, Offer, OfferStatus, RequestStatus, WhenKind
from services.escalation import run_step
from services.events import EventKind, record
from services.notices import Notice
from services.offering import withdraw_open_offers
from services.outbox import tell
from services.rules import Rules

# No 0/O, 1/I/L: a reference is read aloud on the phone and typed by coordinators.
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
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


class CancelOutcome(enum.StrEnum):
    CANCELLED = "cancelled"
    NOT_FOUND = "not_found"
    NOT_OPEN = "not_open"


async def _new_ref(session: AsyncSession) -> str:
    while True:
        ref = "".join(secrets.choice(REF_ALPHABET) for _ in range(6))
        if await session.scalar(select(HelpRequest.id).where(HelpRequest.ref == ref)) is None:
            return ref


async def submit_request(
    session: AsyncSession, *, seeker_id: int, draft: RequestDraft, rules: Rules, now: datetime
) -> HelpRequest:
    """Create the request and take its first escalation step in the same transaction, so the
    offers are in the outbox the moment the request exists."""
    urgent = draft.when_kind is WhenKind.TODAY
    request = HelpRequest(
        ref=await _new_ref(session),
        seeker_id=seeker_id,
        skill=draft.skill,
        district=draft.district,
        when_kind=draft.when_kind,
        when_date=draft.when_date,
        description=draft.description,
        language=draft.language,
        consent=draft.consent,
        urgent=urgent,
        status=RequestStatus.OPEN,
        policy=rules.policy_for(urgent=urgent).to_dict(),
        tier=0,
        step=0,
        steps_run=0,
        next_step_at=None,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    record(session, request_id=request.id, kind=EventKind.CREATED, now=now, actor_id=seeker_id)
    await run_step(session, request, rules=rules, now=now)
    return request


async def open_requests_of(session: AsyncSession, *, seeker_id: int) -> list[HelpRequest]:
    rows = await session.scalars(
        select(HelpRequest)
        .where(HelpRequest.seeker_id == seeker_id, HelpRequest.status.in_(OPEN_STATES))
        .order_by(HelpRequest.created_at)
    )
    return list(rows)


async def cancel_request(
    session: AsyncSession, *, request_id: int, seeker_id: int, now: datetime
) -> CancelOutcome:
    request = await session.get(HelpRequest, request_id)
    if request is None or request.seeker_id != seeker_id:
        return CancelOutcome.NOT_FOUND
    if request.status not in OPEN_STATES:
        return CancelOutcome.NOT_OPEN
    assignee = request.assignee_id if request.status is RequestStatus.ASSIGNED else None
    request.status, request.next_step_at, request.updated_at = RequestStatus.CANCELLED, None, now
    await withdraw_open_offers(session, request, reason=Notice.OFFER_WITHDRAWN, now=now)
    if assignee is not None:
        await _end_assignment(session, request, assignee, now=now)
    record(session, request_id=request.id, kind=EventKind.CANCELLED, now=now, actor_id=seeker_id)
    return CancelOutcome.CANCELLED


async def _end_assignment(
    session: AsyncSession, request: HelpRequest, assignee: int, *, now: datetime
) -> None:
    offer = await session.scalar(
        select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id == assignee)
    )
    if offer is not None:
        offer.status = OfferStatus.WITHDRAWN
    key = f"cancelled:{request.id}:{assignee}"
    await tell(session, request, Notice.VOLUNTEER_CANCELLED, key=key, now=now, chat_id=assignee)


async def find_by_ref(session: AsyncSession, ref: str) -> HelpRequest | None:
    return await session.scalar(select(HelpRequest).where(HelpRequest.ref == ref.strip().upper()))


__all__ = [
    "CancelOutcome",
    "RequestDraft",
    "Rules",
    "cancel_request",
    "find_by_ref",
    "open_requests_of",
    "submit_request",
]
