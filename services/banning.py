"""A coordinator bans a volunteer, or lifts the ban. A ban is one conditional UPDATE (of two
coordinators banning at once, one bans and the other hears it was done), and everything the
volunteer had open goes to the others in the same transaction (services/leaving.py)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.models import Volunteer
from matching.status import AuditAction, VolunteerStatus
from services import audit
from services.leaving import lock_requests_of, release_assignments_of, withdraw_offers_of
from services.outbox import RoleEndedNotice, enqueue
from services.rules import Rules

BANNABLE = (VolunteerStatus.APPROVED, VolunteerStatus.PENDING)


class Banned(enum.StrEnum):
    BANNED = "banned"
    UNBANNED = "unbanned"
    UNCHANGED = "unchanged"  # banned (or not banned) already: a double tap, or another coordinator
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class BanOutcome:
    outcome: Banned
    withdrawn: int = 0  # open offers withdrawn
    released: int = 0  # assigned requests given to other volunteers


async def _move(
    session: AsyncSession, volunteer_id: int, status: VolunteerStatus, *where: ColumnElement[bool]
) -> Banned | None:
    """The conditional UPDATE; None if it changed the volunteer, else why not."""
    moved: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Volunteer)
        .where(Volunteer.user_id == volunteer_id, *where)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    volunteer = await session.get(Volunteer, volunteer_id, populate_existing=True)
    if volunteer is None:
        return Banned.NOT_FOUND
    return None if moved.rowcount == 1 else Banned.UNCHANGED


async def ban_volunteer(
    session: AsyncSession, *, volunteer_id: int, actor_id: int, rules: Rules, now: datetime
) -> BanOutcome:
    """Approved or waiting → banned. Their open offers are withdrawn, the requests they hold are
    offered to others (each seeker told as on a release), and they get a short neutral notice."""
    await lock_requests_of(session, volunteer_id)
    why_not = await _move(
        session, volunteer_id, VolunteerStatus.BANNED, Volunteer.status.in_(BANNABLE)
    )
    if why_not is not None:
        return BanOutcome(why_not)
    withdrawn = await withdraw_offers_of(
        session, user_id=volunteer_id, by=actor_id, rules=rules, now=now
    )
    released = await release_assignments_of(
        session, user_id=volunteer_id, by=actor_id, rules=rules, now=now
    )
    await enqueue(
        session,
        chat_id=volunteer_id,
        payload=RoleEndedNotice(),
        dedupe_key=f"banned:{volunteer_id}:{now.isoformat()}",
        now=now,
    )
    await audit.record(
        session,
        actor_id=actor_id,
        action=AuditAction.VOLUNTEER_BANNED,
        now=now,
        target_user_id=volunteer_id,
        detail=f"offers withdrawn {withdrawn}, requests released {released}",
    )
    return BanOutcome(Banned.BANNED, withdrawn, released)


async def unban_volunteer(
    session: AsyncSession, *, volunteer_id: int, actor_id: int, now: datetime
) -> Banned:
    """Banned → approved: they get offers again as any approved volunteer."""
    why_not = await _move(
        session,
        volunteer_id,
        VolunteerStatus.APPROVED,
        Volunteer.status == VolunteerStatus.BANNED,
    )
    if why_not is not None:
        return why_not
    await audit.record(
        session,
        actor_id=actor_id,
        action=AuditAction.VOLUNTEER_UNBANNED,
        now=now,
        target_user_id=volunteer_id,
    )
    return Banned.UNBANNED
