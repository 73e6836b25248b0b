"""Small helpers that put users, volunteers, requests and offers into the database, and count
what the services wrote. Each flushes; the test's transaction decides when to commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.models import (
    HelpRequest,
    Offer,
    OutboxMessage,
    RequestEvent,
    User,
    Volunteer,
    VolunteerDistrict,
    VolunteerLanguage,
    VolunteerSkill,
)
from db.reach import rebuild_reach
from matching.escalation import Policy
from matching.status import OfferStatus, RequestStatus, VolunteerStatus, WhenKind
from services.offering import note_offered
from services.requests import RequestDraft

SKILL, DISTRICT, LANGUAGE = "furniture", "ehrenfeld", "de"


async def add_user(
    session: AsyncSession, user_id: int, *, now: datetime, reachable: bool = True
) -> User:
    user = User(id=user_id, first_name=f"user{user_id}", reachable=reachable, created_at=now)
    session.add(user)
    await session.flush()
    return user


async def add_volunteer(
    session: AsyncSession,
    user_id: int,
    *,
    now: datetime,
    skills: Iterable[str] = (SKILL,),
    districts: Iterable[str] = (DISTRICT,),
    languages: Iterable[str] = (LANGUAGE,),
    status: VolunteerStatus = VolunteerStatus.APPROVED,
    reachable: bool = True,
    is_lotse: bool = False,
    paused: bool = False,
    paused_until: date | None = None,
    quiet: tuple[int, int] | None = None,
    daily_cap: int | None = None,
    last_offer_at: datetime | None = None,
    flush: bool = True,
) -> Volunteer:
    session.add(User(id=user_id, first_name=f"user{user_id}", reachable=reachable, created_at=now))
    volunteer = Volunteer(
        user_id=user_id,
        status=status,
        is_lotse=is_lotse,
        paused=paused,
        paused_until=paused_until,
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
        daily_cap=daily_cap,
        last_offer_at=last_offer_at,
        created_at=now,
    )
    session.add(volunteer)
    session.add_all(VolunteerSkill(user_id=user_id, skill=s) for s in set(skills))
    session.add_all(VolunteerDistrict(user_id=user_id, district=d) for d in set(districts))
    session.add_all(VolunteerLanguage(user_id=user_id, language=lang) for lang in set(languages))
    if flush:  # many rows at once go faster in a single flush (then call rebuild_reach)
        await rebuild_reach(session, [user_id])
    return volunteer


def draft(
    *,
    skill: str = SKILL,
    district: str = DISTRICT,
    language: str = LANGUAGE,
    when_kind: WhenKind = WhenKind.WEEK,
) -> RequestDraft:
    return RequestDraft(
        skill=skill,
        district=district,
        when_kind=when_kind,
        when_date=None,
        description="Help assembling a wardrobe",
        language=language,
        consent=True,
    )


async def add_request(
    session: AsyncSession,
    *,
    seeker_id: int,
    now: datetime,
    skill: str = SKILL,
    district: str = DISTRICT,
    language: str = LANGUAGE,
    status: RequestStatus = RequestStatus.OPEN,
    assignee_id: int | None = None,
) -> HelpRequest:
    """A request row as it stands, without running any escalation step (history, fixtures)."""
    request = HelpRequest(
        ref=uuid.uuid4().hex[:12].upper(),
        seeker_id=seeker_id,
        skill=skill,
        district=district,
        when_kind=WhenKind.FLEXIBLE,
        description="",
        language=language,
        consent=True,
        status=status,
        assignee_id=assignee_id,
        policy=Policy().to_dict(),
        tier=0,
        step=0,
        steps_run=0,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def add_offer(
    session: AsyncSession,
    *,
    request_id: int,
    volunteer_id: int,
    created_at: datetime,
    status: OfferStatus = OfferStatus.PENDING,
    flush: bool = True,
) -> Offer:
    offer = Offer(
        request_id=request_id,
        volunteer_id=volunteer_id,
        status=status,
        tier=0,
        round=0,
        created_at=created_at,
    )
    session.add(offer)
    await note_offered(session, volunteer_id, now=created_at)
    if flush:
        await session.flush()
    return offer


async def count(session: AsyncSession, model: type, *where: ColumnElement[bool]) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def outbox(
    session: AsyncSession, *, kind: str | None = None, chat_id: int | None = None
) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if chat_id is not None:
        query = query.where(OutboxMessage.chat_id == chat_id)
    return list(await session.scalars(query))


async def event_kinds(session: AsyncSession, request_id: int) -> list[str]:
    rows = await session.scalars(
        select(RequestEvent.kind)
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.id)
    )
    return list(rows)


async def offers_of(session: AsyncSession, request_id: int) -> list[Offer]:
    rows = await session.scalars(
        select(Offer).where(Offer.request_id == request_id).order_by(Offer.id)
    )
    return list(rows)


async def add_volunteers(
    session: AsyncSession, user_ids: Iterable[int], *, now: datetime, **fields: Any
) -> None:
    """Several volunteers alike but for their ids (and so for the tie-breaker)."""
    for user_id in user_ids:
        await add_volunteer(session, user_id, now=now, **fields)
