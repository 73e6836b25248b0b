"""Erasing a person (/forget, a coordinator's /erase, and retention for the long silent).

First their open work ends the way it ends every day: their open requests are cancelled (their
volunteers are told), their pending offers are declined (the next volunteer is asked), their
assignments are released (the request is offered again). Then, over the whole metadata as the
marks in db/privacy.py say:

- rows that exist only for the person go (their profile, skills, answers, queued messages to
  them, their conversation state, their coordinator role);
- rows the statistics count stay, linked to a tombstone: a random negative id, one per erased
  person, that no Telegram id can be and nothing maps back to. The statistics count volunteers
  by distinct ids (services/stats.py), so one tombstone per person keeps last month's figures
  exactly as they were; the tombstone's `users` row holds no name, and its `volunteers` row is
  kept (the month's new volunteers are counted from it) but retired: rejected, no Lotse;
- texts the person wrote are emptied; their id, name and username inside JSON (request
  history, outbox payloads to other people) and keys are replaced.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import offloading
from db.models import HelpRequest, Offer, User, Volunteer
from db.privacy import Erase, Kind, columns, erase_of, owner_of
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.answers import decline_offer, release_request
from services.privacy.marks import ERASED, Person, mentions, naming, person, replace_in_text, walk
from services.privacy.marks import tables as personal_tables
from services.requests import OPEN_STATES, CancelOutcome, cancel_request
from services.rules import Rules

TEXTS = (Kind.TEXT, Kind.NAME, Kind.USERNAME)


@dataclass(frozen=True, slots=True)
class Erased:
    tombstone: int
    cancelled: int  # their open requests
    declined: int  # offers they had not answered
    released: int  # requests they had taken


@offloading
async def erase_person(
    session: AsyncSession, *, user_id: int, rules: Rules, now: datetime
) -> Erased:
    """Everything about the person is deleted or unlinked, in the caller's transaction."""
    cancelled, declined, released = await _end_open_work(session, user_id, rules, now)
    await session.flush()
    who = await person(session, user_id)
    tomb = await new_tombstone(session, now)
    for table in reversed(list(personal_tables())):
        await _delete_rows(session, table, who)
    for table in personal_tables():
        await _rekey(session, table, who, tomb)
    await _retire_volunteer(session, tomb)
    await session.execute(delete(User).where(User.id == user_id))
    return Erased(tomb, cancelled, declined, released)


async def _ids(session: AsyncSession, query: Any) -> list[int]:
    return list(await session.scalars(query))


async def _end_open_work(
    session: AsyncSession, user_id: int, rules: Rules, now: datetime
) -> tuple[int, int, int]:
    own = select(HelpRequest.id).where(
        HelpRequest.seeker_id == user_id, HelpRequest.status.in_(OPEN_STATES)
    )
    cancelled = 0
    for request_id in await _ids(session, own.order_by(HelpRequest.id)):
        outcome = await cancel_request(session, request_id=request_id, seeker_id=user_id, now=now)
        cancelled += outcome is CancelOutcome.CANCELLED
    pending = select(Offer.id).where(
        Offer.volunteer_id == user_id, Offer.status == OfferStatus.PENDING
    )
    declined = 0
    for offer_id in await _ids(session, pending.order_by(Offer.request_id)):
        await decline_offer(session, offer_id=offer_id, volunteer_id=user_id, rules=rules, now=now)
        declined += 1
    taken = select(HelpRequest.id).where(
        HelpRequest.assignee_id == user_id, HelpRequest.status == RequestStatus.ASSIGNED
    )
    released = 0
    for request_id in await _ids(session, taken.order_by(HelpRequest.id)):
        await release_request(
            session, request_id=request_id, volunteer_id=user_id, rules=rules, now=now
        )
        released += 1
    return cancelled, declined, released


async def new_tombstone(session: AsyncSession, now: datetime) -> int:
    """A fresh id below zero (Telegram's user ids are positive), for one erased person."""
    while True:
        tomb = -(secrets.randbelow(2**52) + 1)
        if await session.get(User, tomb) is None:
            break
    session.add(User(id=tomb, first_name="", reachable=False, unreachable_at=now, created_at=now))
    await session.flush()
    return tomb


async def _delete_rows(session: AsyncSession, table: Table, who: Person) -> None:
    if table.name == User.__tablename__:
        return  # last, after everything that refers to it is unlinked
    for column in columns(table, Kind.ID):
        if erase_of(column) is Erase.DELETE:
            await session.execute(delete(table).where(column == who.id))
    where = naming(table, who)
    for column in columns(table, Kind.KEY):
        if erase_of(column) is Erase.DELETE and where is not None:
            found = await session.scalars(select(column).where(where))
            keys = [key for key in found if mentions(key, who)]
            if keys:
                await session.execute(delete(table).where(column.in_(keys)))


async def _rekey(session: AsyncSession, table: Table, who: Person, tomb: int) -> None:
    ids = [c for c in columns(table, Kind.ID) if erase_of(c) is Erase.REKEY]
    for column in ids:
        await session.execute(update(table).where(column == who.id).values({column.name: tomb}))
    first = ids[0] if ids else None
    for column in columns(table, *TEXTS):
        owner = owner_of(table, column)
        owner = first if owner is None else owner
        if owner is not None and table.name != User.__tablename__:
            empty = None if column.nullable else ""
            await session.execute(update(table).where(owner == tomb).values({column.name: empty}))
    await _rewrite_mentions(session, table, who, tomb)


async def _rewrite_mentions(session: AsyncSession, table: Table, who: Person, tomb: int) -> None:
    """JSON values and keys that carry the person's id or name, rewritten row by row."""
    texts = [c for c in columns(table, Kind.JSON, Kind.KEY) if erase_of(c) is Erase.REKEY]
    where = naming(table, who)
    if not texts or where is None:
        return
    keys = list(table.primary_key.columns)
    rows = await session.execute(select(*keys, *texts).where(where))
    for row in rows.all():
        values = {c.name: _rewritten(row._mapping[c], who, tomb) for c in texts}
        changed = {k: v for k, v in values.items() if v != row._mapping[table.columns[k]]}
        if changed:
            match = [k == row._mapping[k] for k in keys]
            await session.execute(update(table).where(*match).values(changed))


def _rewritten(value: Any, who: Person, tomb: int) -> Any:
    if not mentions(value, who):
        return value

    def text(s: str) -> str:
        return replace_in_text(s, who, id_to=str(tomb), name_to=ERASED)

    return walk(value, text, lambda n: tomb if n == who.id else n)


async def _retire_volunteer(session: AsyncSession, tomb: int) -> None:
    await session.execute(
        update(Volunteer)
        .where(Volunteer.user_id == tomb)
        .values(
            status=VolunteerStatus.REJECTED,
            is_lotse=False,
            paused=False,
            paused_until=None,
            quiet_start=None,
            quiet_end=None,
            daily_cap=None,
        )
    )
