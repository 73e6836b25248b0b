"""Who is a coordinator: the `coordinators` table, asked at the moment of each check. The
coordinators named in the settings are seeded at start and cannot be removed by command."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for
from db.models import User
from db.role_models import Coordinator
from matching.status import AuditAction
from services.audit import record
from services.rules import Rules


class RoleOutcome(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    ALREADY = "already"
    NOT_COORDINATOR = "not_coordinator"
    FROM_SETTINGS = "from_settings"
    LAST_ONE = "last_one"


async def is_coordinator(session: AsyncSession, user_id: int) -> bool:
    return await session.get(Coordinator, user_id) is not None


async def coordinator_ids(session: AsyncSession) -> tuple[int, ...]:
    found = await session.scalars(select(Coordinator.user_id).order_by(Coordinator.user_id))
    return tuple(found)


async def coordinator_chats(session: AsyncSession, rules: Rules) -> tuple[int, ...]:
    """Where coordinators' notices go: every coordinator in the table, and the group chat."""
    extra = (rules.coordinator_chat_id,) if rules.coordinator_chat_id is not None else ()
    return await coordinator_ids(session) + extra


async def seed(session: AsyncSession, user_ids: tuple[int, ...], *, now: datetime) -> None:
    """The settings' coordinators are the first admins; idempotent."""
    for user_id in user_ids:
        await session.execute(
            insert_for(session, Coordinator)
            .values(user_id=user_id, added_by=None, added_at=now)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )


async def find_user_id(session: AsyncSession, who: int | str) -> int | None:
    """A numeric id as it is; an @username of a user the bot knows, or None."""
    if isinstance(who, int):
        return who
    name = who.removeprefix("@").lower()
    return await session.scalar(select(User.id).where(func.lower(User.username) == name).limit(1))


async def add(session: AsyncSession, *, actor_id: int, user_id: int, now: datetime) -> RoleOutcome:
    added = await session.scalar(
        insert_for(session, Coordinator)
        .values(user_id=user_id, added_by=actor_id, added_at=now)
        .on_conflict_do_nothing(index_elements=["user_id"])
        .returning(Coordinator.user_id)
    )
    if added is None:
        return RoleOutcome.ALREADY
    await record(
        session,
        actor_id=actor_id,
        action=AuditAction.COORDINATOR_ADDED,
        now=now,
        target_user_id=user_id,
    )
    return RoleOutcome.ADDED


async def remove(
    session: AsyncSession, *, actor_id: int, user_id: int, rules: Rules, now: datetime
) -> RoleOutcome:
    if user_id in rules.coordinators:
        return RoleOutcome.FROM_SETTINGS
    # Lock every coordinator row: two removals at once must not leave nobody.
    ids = tuple(await session.scalars(select(Coordinator.user_id).with_for_update()))
    if user_id not in ids:
        return RoleOutcome.NOT_COORDINATOR
    if len(ids) <= 1:
        return RoleOutcome.LAST_ONE
    await session.execute(delete(Coordinator).where(Coordinator.user_id == user_id))
    await record(
        session,
        actor_id=actor_id,
        action=AuditAction.COORDINATOR_REMOVED,
        now=now,
        target_user_id=user_id,
    )
    return RoleOutcome.REMOVED
