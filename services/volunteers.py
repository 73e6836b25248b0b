"""A volunteer's profile, approval by a coordinator, pausing and quiet hours."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    OutboxMessage,
    User,
    Volunteer,
    VolunteerDistrict,
    VolunteerLanguage,
    VolunteerSkill,
    VolunteerStatus,
)
from db.reach import rebuild_reach
from services.notices import Notice
from services.outbox import enqueue, replace_sent
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
    ALREADY_DECIDED = "already_decided"
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
    volunteer = await session.get(Volunteer, user_id)
    is_new = volunteer is None
    if volunteer is None:
        volunteer = Volunteer(user_id=user_id, status=VolunteerStatus.PENDING, created_at=now)
        session.add(volunteer)
        await session.flush()
    for model in (VolunteerSkill, VolunteerDistrict, VolunteerLanguage):
        await session.execute(delete(model).where(model.user_id == user_id))
    session.add_all(VolunteerSkill(user_id=user_id, skill=s) for s in sorted(profile.skills))
    session.add_all(
        VolunteerDistrict(user_id=user_id, district=d) for d in sorted(profile.districts)
    )
    session.add_all(
        VolunteerLanguage(user_id=user_id, language=lang) for lang in sorted(profile.languages)
    )
    await rebuild_reach(session, [user_id])
    if not is_new:
        return Saved.UPDATED
    user = await session.get(User, user_id)
    payload = {
        "volunteer_id": user_id,
        "name": user.first_name if user else "",
        "username": user.username if user else None,
        "skills": sorted(profile.skills),
        "districts": sorted(profile.districts),
        "languages": sorted(profile.languages),
    }
    for chat_id in rules.coordinator_chats():
        await enqueue(
            session,
            chat_id=chat_id,
            kind=Notice.APPROVAL_REQUEST,
            payload=payload,
            dedupe_key=f"approve:{user_id}:{chat_id}",
            now=now,
        )
    return Saved.SUBMITTED


async def decide_volunteer(
    session: AsyncSession, *, coordinator_id: int, volunteer_id: int, approve: bool, now: datetime
) -> Decided:
    volunteer = await session.get(Volunteer, volunteer_id)
    if volunteer is None:
        return Decided.NOT_FOUND
    if volunteer.status is not VolunteerStatus.PENDING:
        return Decided.ALREADY_DECIDED
    volunteer.status = VolunteerStatus.APPROVED if approve else VolunteerStatus.REJECTED
    volunteer.decided_by, volunteer.decided_at = coordinator_id, now
    outcome = Decided.APPROVED if approve else Decided.REJECTED
    await enqueue(
        session,
        chat_id=volunteer_id,
        kind=Notice.VOLUNTEER_APPROVED if approve else Notice.VOLUNTEER_REJECTED,
        payload={},
        dedupe_key=f"decided:{volunteer_id}",
        now=now,
    )
    # Every coordinator's Approve/Reject message now says who decided, so nobody decides twice.
    asked = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"approve:{volunteer_id}:%"))
    )
    user = await session.get(User, volunteer_id)
    coordinator = await session.get(User, coordinator_id)
    for message in asked:
        await replace_sent(
            session,
            original_id=message.id,
            kind=Notice.APPROVAL_DONE,
            payload={
                "volunteer_id": volunteer_id,
                "name": user.first_name if user else "",
                "approved": approve,
                "by": coordinator_id,
                "by_name": coordinator.first_name if coordinator else "",
            },
            dedupe_key=f"approve-done:{message.id}",
            now=now,
        )
    return outcome


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
