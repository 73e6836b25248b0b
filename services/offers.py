"""A volunteer's answers: accept (first wins), decline, release, done."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, Offer, OfferStatus, RequestStatus, User
from matching.escalation import Tier
from services.escalation import run_step
from services.events import EventKind, record
from services.notices import Notice
from services.offering import candidates_for, make_offers, withdraw_open_offers
from services.outbox import enqueue, tell
from services.rules import Rules
from services.users import mark_unreachable


class Answer(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RELEASED = "released"
    DONE = "done"
    ALREADY_YOURS = "already_yours"
    ALREADY_ANSWERED = "already_answered"
    TAKEN = "taken"
    NOT_OPEN = "not_open"
    NOT_FOUND = "not_found"


async def _own_offer(session: AsyncSession, offer_id: int, volunteer_id: int) -> Offer | None:
    offer = await session.get(Offer, offer_id)
    # A forged callback names someone else's offer: treat it as unknown.
    return offer if offer is not None and offer.volunteer_id == volunteer_id else None


async def accept_offer(
    session: AsyncSession, *, offer_id: int, volunteer_id: int, now: datetime
) -> tuple[Answer, HelpRequest | None]:
    offer = await _own_offer(session, offer_id, volunteer_id)
    if offer is None:
        return Answer.NOT_FOUND, None
    if offer.status is OfferStatus.RELEASED:
        return Answer.ALREADY_ANSWERED, None
    won: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(HelpRequest)
        .where(HelpRequest.id == offer.request_id, HelpRequest.status == RequestStatus.OPEN)
        .values(
            status=RequestStatus.ASSIGNED,
            assignee_id=volunteer_id,
            next_step_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    request = await session.get(HelpRequest, offer.request_id, populate_existing=True)
    assert request is not None
    if won.rowcount != 1:
        if request.assignee_id == volunteer_id and request.status is RequestStatus.ASSIGNED:
            return Answer.ALREADY_YOURS, request
        taken = request.status is RequestStatus.ASSIGNED
        return (Answer.TAKEN if taken else Answer.NOT_OPEN), request
    offer.status, offer.answered_at = OfferStatus.ACCEPTED, now
    await withdraw_open_offers(session, request, reason=Notice.OFFER_TAKEN, now=now, keep=offer.id)
    record(
        session,
        request_id=request.id,
        kind=EventKind.ACCEPTED,
        now=now,
        actor_id=volunteer_id,
        tier=offer.tier,
    )
    await introduce(session, request, volunteer_id, now=now, key=f"{offer.id}:{offer.round}")
    return Answer.ACCEPTED, request


async def introduce(
    session: AsyncSession, request: HelpRequest, volunteer_id: int, *, now: datetime, key: str
) -> None:
    """Tell the seeker who is coming, with a link to write to them, as the seeker agreed."""
    volunteer = await session.get(User, volunteer_id)
    await enqueue(
        session,
        chat_id=request.seeker_id,
        kind=Notice.SEEKER_MATCHED,
        payload={
            "ref": request.ref,
            "request_id": request.id,
            "volunteer_id": volunteer_id,
            "volunteer_name": volunteer.first_name if volunteer else "",
        },
        dedupe_key=f"matched:{request.id}:{key}",
        now=now,
    )


async def decline_offer(
    session: AsyncSession, *, offer_id: int, volunteer_id: int, rules: Rules, now: datetime
) -> tuple[Answer, HelpRequest | None]:
    offer = await _own_offer(session, offer_id, volunteer_id)
    if offer is None:
        return Answer.NOT_FOUND, None
    request = await session.get(HelpRequest, offer.request_id)
    assert request is not None
    if offer.status is not OfferStatus.PENDING:
        return Answer.ALREADY_ANSWERED, request
    offer.status, offer.answered_at = OfferStatus.DECLINED, now
    record(session, request_id=request.id, kind=EventKind.DECLINED, now=now, actor_id=volunteer_id)
    await _offer_lost(session, request, rules=rules, now=now)
    return Answer.DECLINED, request


async def volunteer_unreachable(
    session: AsyncSession, *, user_id: int, rules: Rules, now: datetime
) -> None:
    """The volunteer blocked the bot or left Telegram: nothing more is sent to them, and the
    offers they can no longer answer count as declined, so no round waits on them."""
    await mark_unreachable(session, user_id=user_id, now=now)
    pending = await session.scalars(
        select(Offer).where(Offer.volunteer_id == user_id, Offer.status == OfferStatus.PENDING)
    )
    for offer in list(pending):
        offer.status, offer.answered_at = OfferStatus.DECLINED, now
        request = await session.get(HelpRequest, offer.request_id)
        assert request is not None
        record(
            session, request_id=request.id, kind=EventKind.DECLINED, now=now, unreachable=user_id
        )
        await _offer_lost(session, request, rules=rules, now=now)


async def _offer_lost(
    session: AsyncSession, request: HelpRequest, *, rules: Rules, now: datetime
) -> None:
    """An offer ended unanswered. In tier 0 the next candidate is asked; when no offer is left
    open in tiers 0 and 1, the escalation moves on now instead of waiting out the round. (In
    tier 2 the coordinators' notices keep their own bounded schedule.)"""
    if request.status is not RequestStatus.OPEN or request.tier == Tier.COORDINATORS:
        return
    if request.tier == Tier.VOLUNTEERS:
        nxt = await candidates_for(session, request, rules=rules, now=now, limit=1)
        if nxt:
            await make_offers(session, request, nxt, tier=Tier.VOLUNTEERS, now=now)
            return
        record(session, request_id=request.id, kind=EventKind.NO_CANDIDATES, now=now)
    still_open = await session.scalar(
        select(Offer.id)
        .where(Offer.request_id == request.id, Offer.status == OfferStatus.PENDING)
        .limit(1)
    )
    if still_open is None:
        request.next_step_at = now


async def _assigned_to(
    session: AsyncSession, request_id: int, volunteer_id: int
) -> HelpRequest | None:
    request = await session.get(HelpRequest, request_id)
    if request is None or request.assignee_id != volunteer_id:
        return None
    return request


async def release_request(
    session: AsyncSession, *, request_id: int, volunteer_id: int, rules: Rules, now: datetime
) -> Answer:
    """The volunteer cannot go after all: back to tier 0 without them; the seeker is told."""
    request = await _assigned_to(session, request_id, volunteer_id)
    if request is None:
        return Answer.NOT_FOUND
    if request.status is not RequestStatus.ASSIGNED:
        return Answer.NOT_OPEN
    await session.execute(
        update(Offer)
        .where(Offer.request_id == request.id, Offer.volunteer_id == volunteer_id)
        .values(status=OfferStatus.RELEASED, answered_at=now)
    )
    request.status, request.assignee_id = RequestStatus.OPEN, None
    request.tier, request.step, request.updated_at = 0, 0, now
    record(session, request_id=request.id, kind=EventKind.RELEASED, now=now, actor_id=volunteer_id)
    key = f"released:{request.id}:{request.steps_run}"
    await tell(session, request, Notice.SEEKER_RELEASED, key=key, now=now)
    await run_step(session, request, rules=rules, now=now)
    return Answer.RELEASED


async def mark_done(
    session: AsyncSession, *, request_id: int, volunteer_id: int, now: datetime
) -> Answer:
    request = await _assigned_to(session, request_id, volunteer_id)
    if request is None:
        return Answer.NOT_FOUND
    if request.status is not RequestStatus.ASSIGNED:
        return Answer.NOT_OPEN
    request.status, request.updated_at = RequestStatus.DONE, now
    record(session, request_id=request.id, kind=EventKind.DONE, now=now, actor_id=volunteer_id)
    await tell(session, request, Notice.SEEKER_DONE, key=f"done:{request.id}", now=now)
    return Answer.DONE
