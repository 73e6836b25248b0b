"""Making offers and withdrawing them, with the messages they cause."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.candidates import find_candidates
from db.models import HelpRequest, Offer, Volunteer
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
    a ban committed while the candidates were chosen is seen here, under the row's lock.

    The rows are locked in id order first: two workers offering different requests to the
    same volunteers would otherwise lock them in rank order and deadlock (on PostgreSQL;
    SQLite serialises writers anyway and ignores FOR UPDATE)."""
    ids = sorted(set(volunteer_ids))
    locked = await session.scalars(
        select(Volunteer)
        .where(Volunteer.user_id.in_(ids))
        .order_by(Volunteer.user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    approved = set()
    for volunteer in locked:
        if volunteer.last_offer_at is None or volunteer.last_offer_at < now:
            volunteer.last_offer_at = now
        if volunteer.status is VolunteerStatus.APPROVED:
            approved.add(volunteer.user_id)
    return approved


async def _earlier_offers(
    session: AsyncSession, request: HelpRequest, ids: list[int]
) -> dict[int, Offer]:
    """The offers of `request` these volunteers had before, by volunteer."""
    return {
        offer.volunteer_id: offer
        for offer in await session.scalars(
            select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id.in_(ids))
        )
    }


async def _open_offers(
    session: AsyncSession, request: HelpRequest, ids: list[int], *, tier: Tier, now: datetime
) -> list[Offer]:
    """A pending offer of `request` to each volunteer, in the order of `ids`: new, or an
    earlier one opened again."""
    earlier = await _earlier_offers(session, request, ids)
    offers = []
    for volunteer_id in ids:
        offer = earlier.get(volunteer_id)
        if offer is None:
            offer = Offer(request_id=request.id, volunteer_id=volunteer_id, round=0)
            session.add(offer)
        else:  # withdrawn earlier, asked again after a release
            offer.round += 1
        offer.status, offer.tier, offer.created_at, offer.answered_at = (
            OfferStatus.PENDING,
            int(tier),
            now,
            None,
        )
        offers.append(offer)
    return offers


def _offer_messages(
    request: HelpRequest, offers: list[Offer], *, tier: Tier, now: datetime
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
    session: AsyncSession, request: HelpRequest, offers: list[Offer], *, tier: Tier, now: datetime
) -> None:
    """Queue the offers' messages and note on each offer the message that carries it."""
    messages = _offer_messages(request, offers, tier=tier, now=now)
    written = await enqueue_many(session, messages, now=now)
    for offer, (key, *_rest) in zip(offers, messages, strict=True):
        offer.outbox_id = written[key]


async def make_offers(
    session: AsyncSession,
    request: HelpRequest,
    volunteers: Sequence[VolunteerState],
    *,
    tier: Tier,
    now: datetime,
) -> list[Offer]:
    approved = await note_offered(session, *(v.user_id for v in volunteers), now=now)
    ids = [v.user_id for v in volunteers if v.user_id in approved]
    offers = await _open_offers(session, request, ids, tier=tier, now=now)
    await session.flush()  # the offers' ids, for the messages
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
