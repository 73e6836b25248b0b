"""Running the escalation policy: one step of a request, and claiming due steps exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, RequestEvent
from matching.escalation import Action, Available, Decision, Policy, Position, Tier, decide
from matching.model import VolunteerState
from matching.status import RequestStatus
from services.events import EventKind, record
from services.offering import LOTSEN_MAX, candidates_for, make_offers, request_facts
from services.outbox import (
    CoordinatorNotice,
    EscalationNotice,
    HistoryEntry,
    LotsenNotice,
    RequestNews,
    enqueue,
    tell,
)
from services.roles import coordinator_chats
from services.rules import Rules


async def run_step(
    session: AsyncSession, request: HelpRequest, *, rules: Rules, now: datetime
) -> Decision:
    """Take the request's next escalation step now and schedule the one after."""
    policy = Policy.from_dict(request.policy)
    at = Position(Tier(request.tier), request.step)
    volunteers, lotsen = await _askable(session, request, policy, at, rules=rules, now=now)
    decision = decide(policy, at, Available(len(volunteers), len(lotsen)), now)
    request.steps_run += 1
    request.tier, request.step = int(decision.position.tier), decision.position.step
    request.next_step_at = decision.next_step_at
    request.updated_at = now
    if decision.tier_changed:
        record(
            session,
            request_id=request.id,
            kind=EventKind.ESCALATED,
            now=now,
            tier=int(decision.position.tier),
        )
    await _act(session, request, decision, volunteers, lotsen, rules=rules, now=now)
    return decision


async def _askable(
    session: AsyncSession,
    request: HelpRequest,
    policy: Policy,
    at: Position,
    *,
    rules: Rules,
    now: datetime,
) -> tuple[list[VolunteerState], list[VolunteerState]]:
    """Whom this step could ask: volunteers while tier 0 has rounds left; the Lotsen only if
    no volunteer is found, and not once the coordinators have the request."""
    volunteers = []
    if at.tier is Tier.VOLUNTEERS and at.step < policy.tier0_rounds:
        volunteers = await candidates_for(
            session, request, rules=rules, now=now, limit=policy.offers_per_round
        )
    lotsen = []
    if not volunteers and at.tier is not Tier.COORDINATORS:
        lotsen = await candidates_for(
            session, request, rules=rules, now=now, limit=LOTSEN_MAX, lotsen=True
        )
    return volunteers, lotsen


async def _act(
    session: AsyncSession,
    request: HelpRequest,
    decision: Decision,
    volunteers: list[Any],
    lotsen: list[Any],
    *,
    rules: Rules,
    now: datetime,
) -> None:
    if decision.action is Action.OFFER_VOLUNTEERS:
        await make_offers(
            session, request, volunteers[: decision.count], tier=Tier.VOLUNTEERS, now=now
        )
    elif decision.action is Action.OFFER_LOTSEN:
        await make_offers(session, request, lotsen, tier=Tier.LOTSEN, now=now)
        if decision.tier_changed:
            await _tell_seeker(session, request, LotsenNotice, now=now)
    else:
        await notify_coordinators(session, request, rules=rules, now=now)
        if decision.tier_changed:
            await _tell_seeker(session, request, CoordinatorNotice, now=now)


async def _tell_seeker(
    session: AsyncSession, request: HelpRequest, news: type[RequestNews], *, now: datetime
) -> None:
    # Keyed per request and kind: the seeker hears of each stage once, however often it recurs.
    await tell(session, request, news, key=f"{news.kind.value}:{request.id}", now=now)


async def notify_coordinators(
    session: AsyncSession, request: HelpRequest, *, rules: Rules, now: datetime
) -> None:
    payload = await _escalation_notice(session, request)
    chats = await coordinator_chats(session, rules)
    for chat_id in chats:
        await enqueue(
            session,
            chat_id=chat_id,
            payload=payload,
            dedupe_key=f"escalation:{request.id}:{request.steps_run}:{chat_id}",
            now=now,
        )
    record(
        session,
        request_id=request.id,
        kind=EventKind.COORDINATORS_NOTIFIED,
        now=now,
        notice=request.step,
        chats=len(chats),
    )


async def _escalation_notice(session: AsyncSession, request: HelpRequest) -> EscalationNotice:
    """The request with its last twelve events, as the coordinators see it."""
    events = await session.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id == request.id)
        .order_by(RequestEvent.at, RequestEvent.id)
    )
    history = [HistoryEntry(at=e.at, kind=e.kind, data=e.data) for e in events]
    return EscalationNotice(
        request=request_facts(request), history=tuple(history[-12:]), notice=request.step
    )


async def due_request_ids(session: AsyncSession, *, now: datetime, limit: int = 100) -> list[int]:
    rows = await session.scalars(
        select(HelpRequest.id)
        .where(HelpRequest.status == RequestStatus.OPEN, HelpRequest.next_step_at <= now)
        .order_by(HelpRequest.next_step_at)
        .limit(limit)
    )
    return list(rows)


async def run_if_due(
    session: AsyncSession, *, request_id: int, rules: Rules, now: datetime
) -> Decision | None:
    """Claim the request's due step with a conditional update and run it. Of several workers
    racing for the same step, exactly one gets rowcount 1; the others do nothing."""
    claimed: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(HelpRequest)
        .where(
            HelpRequest.id == request_id,
            HelpRequest.status == RequestStatus.OPEN,
            HelpRequest.next_step_at <= now,
        )
        .values(next_step_at=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    request = await session.get(HelpRequest, request_id, populate_existing=True)
    assert request is not None
    return await run_step(session, request, rules=rules, now=now)
