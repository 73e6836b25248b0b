"""A volunteer who leaves: unreachable (they blocked the bot) or banned by a coordinator. Their
open offers end, each round moves on without them, and the requests they hold go back to the
other volunteers, through the same steps as a volunteer's own decline and release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, Offer
from matching.status import OfferStatus, RequestStatus
from services.answers import Answer, answer_offer, offer_lost, release_request
from services.events import EventKind, record
from services.locks import lock_request
from services.offering import tell_offer_ended
from services.outbox import WithdrawnNotice
from services.rules import Rules
from services.users import mark_unreachable


@dataclass(frozen=True)
class Ended:
    """An offer this call ended, and its request (locked by this transaction)."""

    offer: Offer
    request: HelpRequest


async def end_offers_of(
    session: AsyncSession,
    *,
    user_id: int,
    status: OfferStatus,
    rules: Rules,
    now: datetime,
    **event: Any,
) -> list[Ended]:
    """End every pending offer of the volunteer with `status` (DECLINED: they cannot answer;
    WITHDRAWN: a coordinator ended their role), each under its request's lock, so an accept at
    the same moment either wins first or finds the offer ended. Each round moves on at once."""
    pending = await session.scalars(
        select(Offer)
        .where(Offer.volunteer_id == user_id, Offer.status == OfferStatus.PENDING)
        .order_by(Offer.request_id)  # requests locked in one order: no deadlock with another
    )
    kind = EventKind.DECLINED if status is OfferStatus.DECLINED else EventKind.WITHDRAWN
    ended = []
    for offer in list(pending):
        request = await lock_request(session, offer.request_id)
        assert request is not None
        if not await answer_offer(session, offer, status, now=now):
            continue  # accepted or withdrawn meanwhile
        record(session, request_id=request.id, kind=kind, now=now, **event)
        await offer_lost(session, request, rules=rules, now=now)
        ended.append(Ended(offer, request))
    return ended


async def lock_requests_of(session: AsyncSession, user_id: int) -> None:
    """Lock, in id order, every request the volunteer has an open offer on or holds, before the
    volunteer's own row: offering, accepting and assigning take a request's lock first and the
    volunteer's second, and a ban taking them the other way round would deadlock with them."""
    offered = select(Offer.request_id).where(
        Offer.volunteer_id == user_id, Offer.status == OfferStatus.PENDING
    )
    held = select(HelpRequest.id).where(
        HelpRequest.assignee_id == user_id, HelpRequest.status == RequestStatus.ASSIGNED
    )
    ids = sorted(set(await session.scalars(offered)) | set(await session.scalars(held)))
    for request_id in ids:
        await lock_request(session, request_id)


async def mark_volunteer_unreachable(
    session: AsyncSession, *, user_id: int, rules: Rules, now: datetime
) -> None:
    """The volunteer blocked the bot or left Telegram: nothing more is sent to them, and the
    offers they can no longer answer count as declined, so no round waits on them."""
    await mark_unreachable(session, user_id=user_id, now=now)
    await end_offers_of(
        session,
        user_id=user_id,
        status=OfferStatus.DECLINED,
        rules=rules,
        now=now,
        unreachable=user_id,
    )


async def withdraw_offers_of(
    session: AsyncSession, *, user_id: int, by: int, rules: Rules, now: datetime
) -> int:
    """A coordinator ended the volunteer's role: their open offers are withdrawn and each offer's
    message says it is no longer open. How many were withdrawn."""
    ended = await end_offers_of(
        session,
        user_id=user_id,
        status=OfferStatus.WITHDRAWN,
        rules=rules,
        now=now,
        volunteers=[user_id],
        banned_by=by,
    )
    for e in ended:
        await tell_offer_ended(session, e.request, e.offer, reason=WithdrawnNotice, now=now)
    return len(ended)


async def release_assignments_of(
    session: AsyncSession, *, user_id: int, by: int, rules: Rules, now: datetime
) -> int:
    """Every request the volunteer holds goes back to tier 0 without them, as if they had
    released it: the seeker is told, and other volunteers are asked. How many."""
    held = await session.scalars(
        select(HelpRequest.id)
        .where(HelpRequest.assignee_id == user_id, HelpRequest.status == RequestStatus.ASSIGNED)
        .order_by(HelpRequest.id)
    )
    released = 0
    for request_id in list(held):
        answer = await release_request(
            session, request_id=request_id, volunteer_id=user_id, rules=rules, now=now, banned_by=by
        )
        released += answer is Answer.RELEASED
    return released
