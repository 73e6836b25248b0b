"""A volunteer's answers: accept (first wins), decline, release, done.

Every answer changes a request or an offer only if it still is what the volunteer saw: the
request's row is locked (accept, decline) or changed by a conditional UPDATE (release, done), and
an offer moves on only from PENDING. Of two racing answers exactly one acts; the other is told
what happened instead, from the state the winner committed."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, Offer, User
from matching.escalation import Tier
from matching.status import OfferStatus, RequestStatus
from services.escalation import run_step
from services.events import EventKind, record
from services.locks import lock_request, reload_request
from services.offering import candidates_for, make_offers, withdraw_open_offers
from services.outbox import DoneNotice, MatchedNotice, ReleasedNotice, TakenNotice, enqueue, tell
from services.rules import Rules


class Answer(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RELEASED = "released"
    DONE = "done"
    ALREADY_YOURS = "already_yours"
    ALREADY_ANSWERED = "already_answered"  # the offer was declined before
    ALREADY_RELEASED = "already_released"  # they gave the request back before
    ALREADY_DONE = "already_done"  # they marked it done before
    OFFER_ENDED = "offer_ended"  # withdrawn; the request is open again, without this offer
    TAKEN = "taken"  # another volunteer has it
    CANCELLED = "cancelled"  # the seeker cancelled it
    CLOSED = "closed"  # a coordinator closed it
    NOT_OPEN = "not_open"  # done by someone else
    OWN_REQUEST = "own_request"  # a volunteer cannot take what they asked for themselves
    NOT_FOUND = "not_found"


def _why_not(request: HelpRequest, offer: Offer | None, volunteer_id: int) -> Answer:
    """What stands in the way of this volunteer acting on the request as it is now."""
    mine = request.assignee_id == volunteer_id
    if request.status is RequestStatus.ASSIGNED:
        return Answer.ALREADY_YOURS if mine else Answer.TAKEN
    if request.status is RequestStatus.CANCELLED:
        return Answer.CANCELLED
    if request.status is RequestStatus.CLOSED:
        return Answer.CLOSED
    if request.status is RequestStatus.DONE and mine:
        return Answer.ALREADY_DONE
    if request.status is not RequestStatus.OPEN:
        return Answer.NOT_OPEN
    if offer is not None and offer.status is OfferStatus.RELEASED:
        return Answer.ALREADY_RELEASED
    if offer is not None and offer.status is OfferStatus.DECLINED:
        return Answer.ALREADY_ANSWERED
    return Answer.OFFER_ENDED


async def _own_offer(session: AsyncSession, offer_id: int, volunteer_id: int) -> Offer | None:
    offer = await session.get(Offer, offer_id)
    # A forged callback names someone else's offer: treat it as unknown.
    return offer if offer is not None and offer.volunteer_id == volunteer_id else None


async def answer_offer(
    session: AsyncSession, offer: Offer, status: OfferStatus, *, now: datetime
) -> bool:
    """Move a pending offer on; False if it was no longer pending (answered or withdrawn)."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Offer)
        .where(Offer.id == offer.id, Offer.status == OfferStatus.PENDING)
        .values(status=status, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(offer)
    return result.rowcount == 1


async def accept_offer(
    session: AsyncSession, *, offer_id: int, volunteer_id: int, now: datetime
) -> tuple[Answer, HelpRequest | None]:
    """Only a pending offer of an open request can be accepted, at any tier; the first wins."""
    offer = await _own_offer(session, offer_id, volunteer_id)
    if offer is None:
        return Answer.NOT_FOUND, None
    request = await lock_request(session, offer.request_id)
    assert request is not None
    if request.seeker_id == volunteer_id:
        return Answer.OWN_REQUEST, request
    if request.status is not RequestStatus.OPEN:
        return _why_not(request, offer, volunteer_id), request
    if not await answer_offer(session, offer, OfferStatus.ACCEPTED, now=now):
        return _why_not(request, offer, volunteer_id), request
    await _take(session, request, offer, volunteer_id, now=now)
    return Answer.ACCEPTED, request


async def _take(
    session: AsyncSession, request: HelpRequest, offer: Offer, volunteer_id: int, *, now: datetime
) -> None:
    """The accepting volunteer has the request: the other offers end, the seeker is told."""
    request.status, request.assignee_id = RequestStatus.ASSIGNED, volunteer_id
    request.next_step_at, request.updated_at = None, now
    await withdraw_open_offers(session, request, reason=TakenNotice, now=now, keep=offer.id)
    record(
        session,
        request_id=request.id,
        kind=EventKind.ACCEPTED,
        now=now,
        actor_id=volunteer_id,
        tier=offer.tier,
    )
    await introduce(session, request, volunteer_id, now=now, key=f"{offer.id}:{offer.round}")


async def introduce(
    session: AsyncSession, request: HelpRequest, volunteer_id: int, *, now: datetime, key: str
) -> None:
    """Tell the seeker who is coming, with a link to write to them, as the seeker agreed."""
    volunteer = await session.get(User, volunteer_id)
    await enqueue(
        session,
        chat_id=request.seeker_id,
        payload=MatchedNotice(
            ref=request.ref,
            request_id=request.id,
            volunteer_id=volunteer_id,
            volunteer_name=volunteer.first_name if volunteer else "",
        ),
        dedupe_key=f"matched:{request.id}:{key}",
        now=now,
    )


async def decline_offer(
    session: AsyncSession, *, offer_id: int, volunteer_id: int, rules: Rules, now: datetime
) -> tuple[Answer, HelpRequest | None]:
    offer = await _own_offer(session, offer_id, volunteer_id)
    if offer is None:
        return Answer.NOT_FOUND, None
    # The request's lock first: an accept that won meanwhile is seen, and no new offer is made
    # for a request someone has just taken.
    request = await lock_request(session, offer.request_id)
    assert request is not None
    if not await answer_offer(session, offer, OfferStatus.DECLINED, now=now):
        return _why_not(request, offer, volunteer_id), request
    record(session, request_id=request.id, kind=EventKind.DECLINED, now=now, actor_id=volunteer_id)
    await offer_lost(session, request, rules=rules, now=now)
    return Answer.DECLINED, request


async def offer_lost(
    session: AsyncSession, request: HelpRequest, *, rules: Rules, now: datetime
) -> None:
    """An offer ended unanswered. In tier 0 the next candidate is asked; when no offer is left
    open in tiers 0 and 1, the escalation moves on now instead of waiting out the round. (In
    tier 2 the coordinators' notices keep their own bounded schedule.) The caller holds the
    request's lock, so `request.status` is current."""
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


async def _end_assignment(
    session: AsyncSession,
    request_id: int,
    volunteer_id: int,
    status: RequestStatus,
    *,
    now: datetime,
    **values: Any,
) -> tuple[Answer | None, HelpRequest | None]:
    """Move the volunteer's assigned request to `status` if it is still assigned to them: one
    conditional UPDATE. (None, request) if this won; else why not."""
    ended = await _end_if_assigned(session, request_id, volunteer_id, status, now=now, **values)
    request = await reload_request(session, request_id)
    if ended:
        return None, request
    return await _why_not_ended(session, request, request_id, volunteer_id), request


async def _end_if_assigned(
    session: AsyncSession,
    request_id: int,
    volunteer_id: int,
    status: RequestStatus,
    *,
    now: datetime,
    **values: Any,
) -> bool:
    """The conditional UPDATE: True if the request was still assigned to the volunteer."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(HelpRequest)
        .where(
            HelpRequest.id == request_id,
            HelpRequest.status == RequestStatus.ASSIGNED,
            HelpRequest.assignee_id == volunteer_id,
        )
        .values(status=status, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def _why_not_ended(
    session: AsyncSession, request: HelpRequest | None, request_id: int, volunteer_id: int
) -> Answer:
    """Why the volunteer could not end the assignment, from the state committed meanwhile."""
    offer = await session.scalar(
        select(Offer).where(Offer.request_id == request_id, Offer.volunteer_id == volunteer_id)
    )
    if request is None:
        return Answer.NOT_FOUND
    if request.assignee_id == volunteer_id:  # done or cancelled meanwhile
        return _why_not(request, offer, volunteer_id)
    if offer is not None and offer.status is OfferStatus.RELEASED:
        return Answer.ALREADY_RELEASED
    return Answer.NOT_FOUND


async def release_request(
    session: AsyncSession,
    *,
    request_id: int,
    volunteer_id: int,
    rules: Rules,
    now: datetime,
    banned_by: int | None = None,
) -> Answer:
    """The volunteer cannot go after all (or a coordinator, `banned_by`, ended their role): back
    to tier 0 without them; the seeker is told."""
    values = {"assignee_id": None, "tier": 0, "step": 0}
    why, request = await _end_assignment(
        session, request_id, volunteer_id, RequestStatus.OPEN, now=now, **values
    )
    if why is not None:
        return why
    assert request is not None
    await session.execute(
        update(Offer)
        .where(Offer.request_id == request.id, Offer.volunteer_id == volunteer_id)
        .values(status=OfferStatus.RELEASED, answered_at=now)
    )
    if banned_by is None:
        record(
            session, request_id=request.id, kind=EventKind.RELEASED, now=now, actor_id=volunteer_id
        )
    else:
        kind, by = EventKind.VOLUNTEER_BANNED, banned_by
        record(
            session, request_id=request.id, kind=kind, now=now, actor_id=by, volunteer=volunteer_id
        )
    key = f"released:{request.id}:{request.steps_run}"
    await tell(session, request, ReleasedNotice, key=key, now=now)
    await run_step(session, request, rules=rules, now=now)
    return Answer.RELEASED


async def mark_done(
    session: AsyncSession, *, request_id: int, volunteer_id: int, now: datetime
) -> Answer:
    why, request = await _end_assignment(
        session, request_id, volunteer_id, RequestStatus.DONE, now=now
    )
    if why is not None:
        return why
    assert request is not None
    record(session, request_id=request.id, kind=EventKind.DONE, now=now, actor_id=volunteer_id)
    await tell(session, request, DoneNotice, key=f"done:{request.id}", now=now)
    return Answer.DONE
