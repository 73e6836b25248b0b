"""The rows an offering step writes, as single Core statements: no ORM unit of work on the
hot path (the seeker's "Send request"), one statement for all the offers of a round.

Objects of these rows that the session has loaded already are brought up to date with what
was written (`sync_loaded`), as a flush would have left them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from db.dialect import insert_for
from db.models import Offer, UtcDateTime, Volunteer
from matching.status import OfferStatus, VolunteerStatus

_VOLUNTEER_TABLE = cast(Table, Volunteer.__table__)
_OFFER_TABLE = cast(Table, Offer.__table__)
_VOLUNTEERS = _VOLUNTEER_TABLE.c
_OFFERS = _OFFER_TABLE.c


@dataclass(frozen=True)
class OpenedOffer:
    id: int
    volunteer_id: int
    round: int


def sync_loaded(session: AsyncSession, cls: type[Any], key: int, **values: Any) -> None:
    """If the session holds the object `cls` `key`, give it the values just written."""
    loaded = session.sync_session.identity_map.get(identity_key(cls, key))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)


async def stamp_offered(
    session: AsyncSession, ids: Sequence[int], *, now: datetime
) -> dict[int, VolunteerStatus]:
    """Note an offer at `now` on each volunteer (last_offer_at never goes back) and return
    their statuses, read under the rows' locks. The rows are locked in id order first (the
    subquery; SQLite ignores FOR UPDATE and serialises writers anyway): two workers offering
    different requests to the same volunteers would otherwise lock them in other orders and
    deadlock on PostgreSQL."""
    if not ids:
        return {}
    locked = (
        select(_VOLUNTEERS.user_id)
        .where(_VOLUNTEERS.user_id.in_(ids))
        .order_by(_VOLUNTEERS.user_id)
        .with_for_update()
    )
    stamp = literal(now, UtcDateTime())
    last = _VOLUNTEERS.last_offer_at
    rows = await session.execute(
        update(_VOLUNTEER_TABLE)
        .where(_VOLUNTEERS.user_id.in_(locked))
        .values(last_offer_at=case((or_(last.is_(None), last < stamp), stamp), else_=last))
        .returning(_VOLUNTEERS.user_id, _VOLUNTEERS.status, last)
    )
    statuses = {}
    for user_id, status, last_offer_at in rows:
        sync_loaded(session, Volunteer, user_id, status=status, last_offer_at=last_offer_at)
        statuses[user_id] = status
    return statuses


async def open_offers(
    session: AsyncSession, request_id: int, ids: Sequence[int], *, tier: int, now: datetime
) -> list[OpenedOffer]:
    """A pending offer of the request to each volunteer, in the order of `ids`: new, or an
    earlier one (withdrawn, asked again after a release) opened again in its next round. One
    upsert for all: the unique (request, volunteer) pair decides which."""
    if not ids:
        return []
    pending = {"status": OfferStatus.PENDING, "tier": tier, "created_at": now}
    rows = [
        {"request_id": request_id, "volunteer_id": v, "round": 0, "answered_at": None} | pending
        for v in ids
    ]
    insert = insert_for(session, _OFFER_TABLE).values(rows)  # upserts go row by row else
    statement = insert.on_conflict_do_update(
        index_elements=[_OFFERS.request_id, _OFFERS.volunteer_id],
        set_={"round": _OFFERS.round + 1, "answered_at": None}
        | {name: getattr(insert.excluded, name) for name in pending},
    ).returning(_OFFERS.id, _OFFERS.volunteer_id, _OFFERS.round)
    opened = {v: OpenedOffer(i, v, r) for i, v, r in await session.execute(statement)}
    for offer in opened.values():
        if offer.round:  # an earlier offer the session may have loaded
            values = pending | {"round": offer.round, "answered_at": None}
            sync_loaded(session, Offer, offer.id, **values)
    return [opened[v] for v in ids]


async def link_messages(session: AsyncSession, links: Iterable[tuple[int, int]]) -> None:
    """Note on each offer (offer id, outbox id) the message that carries it."""
    params = [{"offer": offer, "message": message} for offer, message in links]
    if not params:
        return
    await session.execute(
        update(_OFFER_TABLE)
        .where(_OFFERS.id == bindparam("offer"))
        .values(outbox_id=bindparam("message")),
        params,
    )
    for row in params:
        sync_loaded(session, Offer, row["offer"], outbox_id=row["message"])
