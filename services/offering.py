"""Making offers and withdrawing them, with the messages they cause."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.candidates import find_candidates
from db.models import HelpRequest, Offer
from db.offer_rows import OpenedOffer, link_messages, open_offers, stamp_offered
from matching.clock import local_now
from matching.escalation import Tier
from matching.model import RequestSpec, VolunteerState
from matching.status import OfferStatus, Priority, VolunteerStatus
from services.events import EventKind, record
from services.outbox import (
    OfferNotice,
    RequestFacts,
    TakenNotice,
    WithdrawnNotice,
    enqueue_many,
    replace_sent,
)
from services.rules import Rules

# Tier 1 asks every eligible Lotse; this only bounds one step's work.
LOTSEN_MAX = 200


def spec_of(request: HelpRequest) -> RequestSpec:
    return RequestSpec(
        id=request.id,
        skill=request.skill,
        district=request.district,
        language=request.language,
        seeker_id=request.seeker_id,
    )


def request_facts(request: HelpRequest) -> RequestFacts:
    return RequestFacts(
        request_id=request.id,
        ref=request.ref,
        skill=request.skill,
        district=request.district,
        when_kind=request.when_kind,
        when_date=request.when_date,
        description=request.description,
        language=request.language,
        urgent=request.urgent,
    )


def request_payload(request: HelpRequest) -> dict[str, Any]:
    """The facts as JSON, for the views that still read a dict (handlers/views/requests.py)."""
    return request_facts(request).to_json()


async def candidates_for(
    session: AsyncSession,
    request: HelpRequest,
    *,
    rules: Rules,
    now: datetime,
    limit: int,
    lotsen: bool = False,
) -> list[VolunteerState]:
    return await find_candidates(
        session,
        spec_of(request),
        local_now(now, rules.tz),
        tz=rules.tz,
        limit=limit,
        default_cap=rules.default_daily_cap,
        lotsen_only=lotsen,
    )


async def note_offered(session: AsyncSession, *volunteer_ids: int, now: datetime) -> set[int]:
    """Every offer row is recorded here on its volunteers. db/candidates.py relies on it: a
    volunteer whose last_offer_at is NULL has never had an offer. Returns those still approved:
    a ban committed while the candidates were chosen is seen here, under the row's lock."""
    statuses = await stamp_offered(session, sorted(set(volunteer_ids)), now=now)
    return {user_id for user_id, s in statuses.items() if s is VolunteerStatus.APPROVED}


def _offer_messages(
    request: HelpRequest, offers: list[OpenedOffer], *, tier: Tier, now: datetime
) -> list[tuple[str, int, OfferNotice, Priority]]:
    """One message per offer. Of a request just made, the offer to the best candidate goes out
    before anything but answers: when many people ask at once, each request reaches somebody
    soon."""
    first = request.created_at == now and tier == Tier.VOLUNTEERS
    facts = request_facts(request)
    return [
        (
            f"offer:{o.id}:{o.round}",
            o.volunteer_id,
            OfferNotice(request=facts, offer_id=o.id, tier=tier),
            Priority.FIRST_OFFER if first and n == 0 else Priority.NOTICE,
        )
        for n, o in enumerate(offers)
    ]


async def _write_offer_messages(
    session: AsyncSession,
    request: HelpRequest,
    offers: list[OpenedOffer],
    *,
    tier: Tier,
    now: datetime,
) -> None:
    """Queue the offers' messages and note on each offer the message that carries it."""
    messages = _offer_messages(request, offers, tier=tier, now=now)
    written = await enqueue_many(session, messages, now=now)
    links = zip(offers, messages, strict=True)
    await link_messages(session, [(offer.id, written[key]) for offer, (key, *_rest) in links])


async def make_offers(
    session: AsyncSession,
    request: HelpRequest,
    volunteers: Sequence[VolunteerState],
    *,
    tier: Tier,
    now: datetime,
) -> list[OpenedOffer]:
    approved = await note_offered(session, *(v.user_id for v in volunteers), now=now)
    ids = [v.user_id for v in volunteers if v.user_id in approved]
    offers = await open_offers(session, request.id, ids, tier=int(tier), now=now)
    await _write_offer_messages(session, request, offers, tier=tier, now=now)
    if offers:
        record(
            session,
            request_id=request.id,
            kind=EventKind.OFFERED,
            now=now,
            tier=int(tier),
            volunteers=[o.volunteer_id for o in offers],
        )
    return offers


async def withdraw_open_offers(
    session: AsyncSession,
    request: HelpRequest,
    *,
    reason: type[TakenNotice | WithdrawnNotice],
    now: datetime,
    keep: int | None = None,
) -> list[int]:
    """Withdraw every pending offer but `keep` and edit its message to say why."""
    pending = await session.scalars(
        select(Offer).where(Offer.request_id == request.id, Offer.status == OfferStatus.PENDING)
    )
    withdrawn = []
    for offer in pending:
        if offer.id != keep:
            await _withdraw(session, request, offer, reason=reason, now=now)
            withdrawn.append(offer.volunteer_id)
    if withdrawn:
        record(
            session, request_id=request.id, kind=EventKind.WITHDRAWN, now=now, volunteers=withdrawn
        )
    return withdrawn


async def _withdraw(
    session: AsyncSession,
    request: HelpRequest,
    offer: Offer,
    *,
    reason: type[TakenNotice | WithdrawnNotice],
    now: datetime,
) -> None:
    offer.status, offer.answered_at = OfferStatus.WITHDRAWN, now
    await tell_offer_ended(session, request, offer, reason=reason, now=now)


async def tell_offer_ended(
    session: AsyncSession,
    request: HelpRequest,
    offer: Offer,
    *,
    reason: type[TakenNotice | WithdrawnNotice],
    now: datetime,
) -> None:
    """The offer's message is edited to say the offer is no longer open, and why."""
    await replace_sent(
        session,
        original_id=offer.outbox_id,
        payload=reason(ref=request.ref, request_id=request.id),
        dedupe_key=f"offer-end:{offer.id}:{offer.round}",
        now=now,
    )
