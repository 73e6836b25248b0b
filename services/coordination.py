"""A coordinator's hands on requests: assign, extend, close, escalate now (on volunteers: approval
and the Lotsen pool are in services/volunteers.py). Each action on a request is claimed with a
conditional UPDATE, so of two coordinators pressing at once exactly one acts; each writes a
request_events row."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.models import HelpRequest, Offer, RequestEvent, User, Volunteer
from matching.escalation import Decision, Policy, Tier, extend, past_tier
from matching.status import AuditAction as A
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.answers import introduce
from services.audit import on_request
from services.escalation import run_if_due
from services.events import EventKind, record
from services.locks import reload_request
from services.offering import note_offered, request_facts, withdraw_open_offers
from services.outbox import AssignedNotice, ClosedNotice, TakenNotice, WithdrawnNotice, enqueue
from services.rules import Rules


class Outcome(enum.StrEnum):
    ASSIGNED = "assigned"
    EXTENDED = "extended"
    CLOSED = "closed"
    ESCALATED = "escalated"
    ALREADY_HANDLED = "already_handled"  # closed or done, or another coordinator was first
    TAKEN = "taken"  # a volunteer has it now (accepted, or assigned by someone else)
    CANCELLED = "cancelled"  # the seeker cancelled it
    NOT_FOUND = "not_found"
    NO_VOLUNTEER = "no_volunteer"  # the one to assign is no approved volunteer
    OWN_REQUEST = "own_request"  # the one to assign asked for this help themselves


class CloseReason(enum.StrEnum):
    """Stored as a key; each reader sees it in their own language."""

    NO_VOLUNTEER = "no_volunteer"
    SOLVED = "solved"
    OUT_OF_SCOPE = "out_of_scope"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Handled:
    outcome: Outcome
    request: HelpRequest | None = None


async def _claim(
    session: AsyncSession, request_id: int, *where: ColumnElement[bool], **values: Any
) -> bool:
    """Change an open request only if it still is what the caller saw; True if this won."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(HelpRequest)
        .where(HelpRequest.id == request_id, HelpRequest.status == RequestStatus.OPEN, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def why_not_open(request: HelpRequest) -> Outcome:
    """What a coordinator is told when the request is no longer (or not as they saw it) open."""
    return {
        RequestStatus.ASSIGNED: Outcome.TAKEN,
        RequestStatus.CANCELLED: Outcome.CANCELLED,
    }.get(request.status, Outcome.ALREADY_HANDLED)


async def _lost(session: AsyncSession, request_id: int) -> Handled:
    """The claim found the request changed: say what it is now, as committed."""
    request = await reload_request(session, request_id)
    if request is None:
        return Handled(Outcome.NOT_FOUND)
    return Handled(why_not_open(request), request)


async def assign_request(
    session: AsyncSession, *, request_id: int, volunteer_id: int, coordinator_id: int, now: datetime
) -> Handled:
    """Give an open request to a volunteer, as if they had accepted an offer."""
    # Locks in the order offering takes them, the request's, then the volunteer's (shared: a
    # ban's UPDATE waits for this assignment to commit, and then releases it again).
    request = await session.get(
        HelpRequest, request_id, with_for_update=True, populate_existing=True
    )
    if request is None:
        return Handled(Outcome.NOT_FOUND)
    volunteer = await session.get(
        Volunteer, volunteer_id, with_for_update={"read": True}, populate_existing=True
    )
    if volunteer is None or volunteer.status is not VolunteerStatus.APPROVED:
        return Handled(Outcome.NO_VOLUNTEER, request)
    if volunteer_id == request.seeker_id:  # a volunteer who asked for help themselves
        return Handled(Outcome.OWN_REQUEST, request)
    values = {"status": RequestStatus.ASSIGNED, "assignee_id": volunteer_id, "updated_at": now}
    if not await _claim(session, request_id, next_step_at=None, **values):
        return await _lost(session, request_id)
    request = await reload_request(session, request_id)
    assert request is not None
    await _hand_over(session, request, volunteer_id, coordinator_id, now=now)
    await on_request(session, coordinator_id, A.REQUEST_ASSIGNED, request_id, now, volunteer_id)
    return Handled(Outcome.ASSIGNED, request)


async def _hand_over(
    session: AsyncSession,
    request: HelpRequest,
    volunteer_id: int,
    coordinator_id: int,
    *,
    now: datetime,
) -> None:
    """What an assignment causes: the volunteer's offer stands accepted, the other offers end,
    the volunteer hears what to do and the seeker who is coming."""
    offer = await _accepted_offer(session, request, volunteer_id, now=now)
    await withdraw_open_offers(session, request, reason=TakenNotice, now=now, keep=offer.id)
    record(
        session,
        request_id=request.id,
        kind=EventKind.ASSIGNED,
        now=now,
        actor_id=coordinator_id,
        volunteer_id=volunteer_id,
        tier=request.tier,
    )
    offer.outbox_id = await _tell_assignee(session, request, volunteer_id, now=now)
    await introduce(session, request, volunteer_id, now=now, key=f"assigned:{request.steps_run}")


async def _accepted_offer(
    session: AsyncSession, request: HelpRequest, volunteer_id: int, *, now: datetime
) -> Offer:
    # An accepted offer stands for the assignment: a later release marks it, and the matching
    # does not offer the request to the same volunteer again.
    offer = await session.scalar(
        select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id == volunteer_id)
    )
    if offer is None:
        offer = Offer(
            request_id=request.id,
            volunteer_id=volunteer_id,
            tier=request.tier,
            round=0,
            status=OfferStatus.ACCEPTED,
            created_at=now,
        )
        session.add(offer)
        await note_offered(session, volunteer_id, now=now)
    offer.status, offer.answered_at = OfferStatus.ACCEPTED, now
    await session.flush()
    return offer


async def _tell_assignee(
    session: AsyncSession, request: HelpRequest, volunteer_id: int, *, now: datetime
) -> int:
    seeker = await session.get(User, request.seeker_id)
    message = await enqueue(
        session,
        chat_id=volunteer_id,
        payload=AssignedNotice(
            request=request_facts(request),
            seeker_id=request.seeker_id,
            seeker_name=seeker.first_name if seeker else "",
        ),
        dedupe_key=f"assigned:{request.id}:{volunteer_id}:{request.steps_run}",
        now=now,
    )
    return message.id


async def extend_request(
    session: AsyncSession, *, request_id: int, coordinator_id: int, rules: Rules, now: datetime
) -> Handled:
    """Ask the Lotsen once more, now. Only a request that reached the coordinators extends."""
    at = extend()
    claimed = await _claim(
        session,
        request_id,
        HelpRequest.tier == int(Tier.COORDINATORS),
        tier=int(at.tier),
        step=at.step,
        next_step_at=now,
        updated_at=now,
    )
    if not claimed:
        return await _lost(session, request_id)
    record(
        session, request_id=request_id, kind=EventKind.EXTENDED, now=now, actor_id=coordinator_id
    )
    await run_if_due(session, request_id=request_id, rules=rules, now=now)
    await on_request(session, coordinator_id, A.REQUEST_EXTENDED, request_id, now)
    return Handled(Outcome.EXTENDED, await reload_request(session, request_id))


async def close_request(
    session: AsyncSession,
    *,
    request_id: int,
    coordinator_id: int,
    reason: CloseReason,
    now: datetime,
) -> Handled:
    values = {"status": RequestStatus.CLOSED, "close_reason": reason.value, "updated_at": now}
    if not await _claim(session, request_id, next_step_at=None, **values):
        return await _lost(session, request_id)
    request = await reload_request(session, request_id)
    assert request is not None
    await _after_close(session, request, coordinator_id, reason, now=now)
    await on_request(session, coordinator_id, A.REQUEST_CLOSED, request_id, now)
    return Handled(Outcome.CLOSED, request)


async def _after_close(
    session: AsyncSession,
    request: HelpRequest,
    coordinator_id: int,
    reason: CloseReason,
    *,
    now: datetime,
) -> None:
    """What closing causes: the open offers end, and the seeker hears why."""
    await withdraw_open_offers(session, request, reason=WithdrawnNotice, now=now)
    record(
        session,
        request_id=request.id,
        kind=EventKind.CLOSED,
        now=now,
        actor_id=coordinator_id,
        reason=reason.value,
    )
    closed = ClosedNotice(ref=request.ref, request_id=request.id, reason=reason.value)
    key = f"closed:{request.id}"
    await enqueue(session, chat_id=request.seeker_id, payload=closed, dedupe_key=key, now=now)


async def escalate_now(
    session: AsyncSession, *, request_id: int, coordinator_id: int, rules: Rules, now: datetime
) -> Handled:
    """Skip the rest of the current tier and take the next step at once."""
    request = await session.get(HelpRequest, request_id)
    if request is None:
        return Handled(Outcome.NOT_FOUND)
    step = past_tier(Policy.from_dict(request.policy), request.tier, request.step)
    # steps_run as a version: a step taken since the caller looked makes this a no-op.
    seen = HelpRequest.steps_run == request.steps_run
    if not await _claim(session, request_id, seen, step=step, next_step_at=now, updated_at=now):
        return await _lost(session, request_id)
    decision = await run_if_due(session, request_id=request_id, rules=rules, now=now)
    assert decision is not None
    await _sign_escalation(session, request_id, coordinator_id, decision, now=now)
    await on_request(session, coordinator_id, A.ESCALATED_NOW, request_id, now)
    return Handled(Outcome.ESCALATED, await reload_request(session, request_id))


async def _sign_escalation(
    session: AsyncSession,
    request_id: int,
    coordinator_id: int,
    decision: Decision,
    *,
    now: datetime,
) -> None:
    if not decision.tier_changed:  # the coordinators again: the step wrote no "escalated" row
        record(
            session,
            request_id=request_id,
            kind=EventKind.ESCALATED,
            now=now,
            actor_id=coordinator_id,
            tier=int(decision.position.tier),
            manual=True,
        )
        return
    await _sign_step_event(session, request_id, coordinator_id)


async def _sign_step_event(session: AsyncSession, request_id: int, coordinator_id: int) -> None:
    """The step wrote its own "escalated" row: name the coordinator on it, not write a second."""
    event = await session.scalar(
        select(RequestEvent)
        .where(RequestEvent.request_id == request_id, RequestEvent.kind == EventKind.ESCALATED)
        .order_by(RequestEvent.id.desc())
        .limit(1)
    )
    assert event is not None
    event.actor_id, event.data = coordinator_id, {**event.data, "manual": True}
