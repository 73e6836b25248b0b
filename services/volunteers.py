"""A volunteer's profile, approval by a coordinator, the Lotsen pool, pausing and quiet hours."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    OutboxMessage,
    User,
    Volunteer,
    VolunteerDistrict,
    VolunteerLanguage,
    VolunteerSkill,
)
from db.reach import rebuild_reach
from matching.status import AuditAction, VolunteerStatus
from services import audit
from services.outbox import (
    ApprovalDoneNotice,
    ApprovalNotice,
    ApprovedNotice,
    RejectedNotice,
    enqueue,
    replace_sent,
)
from services.roles import coordinator_chats
from services.rules import Rules


@dataclass(frozen=True)
class Profile:
    skills: frozenset[str]
    districts: frozenset[str]
    languages: frozenset[str]


class Saved(enum.StrEnum):
    SUBMITTED = "submitted"  # new: waits for a coordinator
    UPDATED = "updated"


class Decided(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    ALREADY_APPROVED = "already_approved"  # by another coordinator, or a tap before
    ALREADY_REJECTED = "already_rejected"
    ALREADY_DECIDED = "already_decided"  # banned meanwhile
    NOT_FOUND = "not_found"


async def get_volunteer(session: AsyncSession, user_id: int) -> Volunteer | None:
    return await session.get(Volunteer, user_id)


async def get_profile(session: AsyncSession, user_id: int) -> Profile:
    skills = await session.scalars(
        select(VolunteerSkill.skill).where(VolunteerSkill.user_id == user_id)
    )
    districts = await session.scalars(
        select(VolunteerDistrict.district).where(VolunteerDistrict.user_id == user_id)
    )
    languages = await session.scalars(
        select(VolunteerLanguage.language).where(VolunteerLanguage.user_id == user_id)
    )
    return Profile(frozenset(skills), frozenset(districts), frozenset(languages))


async def save_profile(
    session: AsyncSession, *, user_id: int, profile: Profile, rules: Rules, now: datetime
) -> Saved:
    is_new = await _create_volunteer(session, user_id, now=now)
    # Two saves of one sign-up (a double tap) take turns here: the second finds the first's
    # volunteer and links committed, replaces the links, and reports an update.
    await session.get(Volunteer, user_id, with_for_update=True, populate_existing=True)
    await _replace_links(session, user_id, profile)
    await rebuild_reach(session, [user_id])
    if not is_new:
        return Saved.UPDATED
    await _ask_coordinators(session, user_id, profile, rules=rules, now=now)
    return Saved.SUBMITTED


async def _replace_links(session: AsyncSession, user_id: int, profile: Profile) -> None:
    """The volunteer's skills, districts and languages become the profile's."""
    for model in (VolunteerSkill, VolunteerDistrict, VolunteerLanguage):
        await session.execute(delete(model).where(model.user_id == user_id))
    session.add_all(VolunteerSkill(user_id=user_id, skill=s) for s in sorted(profile.skills))
    session.add_all(
        VolunteerDistrict(user_id=user_id, district=d) for d in sorted(profile.districts)
    )
    session.add_all(
        VolunteerLanguage(user_id=user_id, language=lang) for lang in sorted(profile.languages)
    )


async def _ask_coordinators(
    session: AsyncSession, user_id: int, profile: Profile, *, rules: Rules, now: datetime
) -> None:
    """Every coordinator chat gets an Approve/Reject message about the new volunteer."""
    user = await session.get(User, user_id)
    payload = ApprovalNotice(
        volunteer_id=user_id,
        name=user.first_name if user else "",
        username=user.username if user else None,
        skills=tuple(sorted(profile.skills)),
        districts=tuple(sorted(profile.districts)),
        languages=tuple(sorted(profile.languages)),
    )
    for chat_id in await coordinator_chats(session, rules):
        await enqueue(
            session,
            chat_id=chat_id,
            payload=payload,
            dedupe_key=f"approve:{user_id}:{chat_id}",
            now=now,
        )


async def _create_volunteer(session: AsyncSession, user_id: int, *, now: datetime) -> bool:
    """Insert the volunteer waiting for approval; False if they exist (also when a racing
    save committed them meanwhile: ON CONFLICT waits for it and skips, without an error)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = await session.scalar(
        insert(Volunteer)
        .values(user_id=user_id, status=VolunteerStatus.PENDING, created_at=now)
        .on_conflict_do_nothing(index_elements=["user_id"])
        .returning(Volunteer.user_id)
    )
    return created is not None


class LotseOutcome(enum.StrEnum):
    SET = "set"
    UNSET = "unset"
    UNCHANGED = "unchanged"
    NOT_FOUND = "not_found"


ALREADY = {
    VolunteerStatus.APPROVED: Decided.ALREADY_APPROVED,
    VolunteerStatus.REJECTED: Decided.ALREADY_REJECTED,
}


async def decide_volunteer(
    session: AsyncSession, *, coordinator_id: int, volunteer_id: int, approve: bool, now: datetime
) -> Decided:
    """Approve or reject a volunteer who is waiting. Conditional: of two coordinators deciding
    at once one decides, and the other hears what was decided."""
    decided = await _decide_if_pending(
        session, coordinator_id=coordinator_id, volunteer_id=volunteer_id, approve=approve, now=now
    )
    volunteer = await session.get(Volunteer, volunteer_id, populate_existing=True)
    if volunteer is None:
        return Decided.NOT_FOUND
    if not decided:
        return ALREADY.get(volunteer.status, Decided.ALREADY_DECIDED)
    outcome = Decided.APPROVED if approve else Decided.REJECTED
    await enqueue(
        session,
        chat_id=volunteer_id,
        payload=ApprovedNotice() if approve else RejectedNotice(),
        dedupe_key=f"decided:{volunteer_id}",
        now=now,
    )
    await _mark_approval_done(session, coordinator_id, volunteer_id, approve=approve, now=now)
    action = AuditAction.VOLUNTEER_APPROVED if approve else AuditAction.VOLUNTEER_REJECTED
    await audit.record(
        session, actor_id=coordinator_id, action=action, now=now, target_user_id=volunteer_id
    )
    return outcome


async def _decide_if_pending(
    session: AsyncSession, *, coordinator_id: int, volunteer_id: int, approve: bool, now: datetime
) -> bool:
    """The conditional UPDATE: True if this call decided, False if the volunteer was not
    waiting (any more)."""
    status = VolunteerStatus.APPROVED if approve else VolunteerStatus.REJECTED
    decided: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Volunteer)
        .where(Volunteer.user_id == volunteer_id, Volunteer.status == VolunteerStatus.PENDING)
        .values(status=status, decided_by=coordinator_id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return decided.rowcount == 1


async def _mark_approval_done(
    session: AsyncSession, coordinator_id: int, volunteer_id: int, *, approve: bool, now: datetime
) -> None:
    """Every coordinator's Approve/Reject message now says who decided, so nobody decides twice."""
    asked = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"approve:{volunteer_id}:%"))
    )
    user = await session.get(User, volunteer_id)
    coordinator = await session.get(User, coordinator_id)
    for message in asked:
        await replace_sent(
            session,
            original_id=message.id,
            payload=ApprovalDoneNotice(
                volunteer_id=volunteer_id,
                name=user.first_name if user else "",
                approved=approve,
                by=coordinator_id,
                by_name=coordinator.first_name if coordinator else "",
            ),
            dedupe_key=f"approve-done:{message.id}",
            now=now,
        )


async def set_lotse(
    session: AsyncSession, *, volunteer_id: int, is_lotse: bool, actor_id: int, now: datetime
) -> LotseOutcome:
    # Conditional: of two coordinators pressing at once, one changes it, the other is told
    # there was nothing to change.
    changed: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Volunteer)
        .where(Volunteer.user_id == volunteer_id, Volunteer.is_lotse.is_not(is_lotse))
        .values(is_lotse=is_lotse)
        .execution_options(synchronize_session=False)
    )
    volunteer = await session.get(Volunteer, volunteer_id, populate_existing=True)
    if volunteer is None:
        return LotseOutcome.NOT_FOUND
    if changed.rowcount != 1:
        return LotseOutcome.UNCHANGED
    action = AuditAction.LOTSE_SET if is_lotse else AuditAction.LOTSE_UNSET
    await audit.record(
        session, actor_id=actor_id, action=action, now=now, target_user_id=volunteer_id
    )
    return LotseOutcome.SET if is_lotse else LotseOutcome.UNSET


async def find_volunteer(session: AsyncSession, who: int | str) -> Volunteer | None:
    """A volunteer by Telegram id, or by username (without the @, any case)."""
    if isinstance(who, int):
        return await session.get(Volunteer, who)
    return await session.scalar(
        select(Volunteer)
        .join(User, User.id == Volunteer.user_id)
        .where(func.lower(User.username) == who.lower())
    )


async def pause(session: AsyncSession, *, user_id: int, until: date | None) -> bool:
    volunteer = await session.get(Volunteer, user_id)
    if volunteer is None:
        return False
    volunteer.paused, volunteer.paused_until = True, until
    return True


async def resume(session: AsyncSession, *, user_id: int) -> bool:
    volunteer = await session.get(Volunteer, user_id)
    if volunteer is None:
        return False
    volunteer.paused, volunteer.paused_until = False, None
    return True


async def set_quiet_hours(
    session: AsyncSession, *, user_id: int, start: int | None, end: int | None
) -> bool:
    volunteer = await session.get(Volunteer, user_id)
    if volunteer is None:
        return False
    volunteer.quiet_start, volunteer.quiet_end = start, end
    return True
