"""/privacy_report: how many people Lotse stores, by role; its requests by age; and the last
retention run. Counts only: no name, no id. Tombstones (erased people, ids below zero) are
nobody and are not counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import offloading
from db.models import HelpRequest, User, Volunteer
from db.role_models import AuditEntry, Coordinator
from matching.status import AuditAction, VolunteerStatus


@dataclass(frozen=True, slots=True)
class PrivacyReport:
    people: int  # every person with a user row
    seekers: int  # people who asked for help (requests still linked to them)
    volunteers: dict[VolunteerStatus, int]
    coordinators: int
    requests_by_age: tuple[int, int, int]  # under 30 days, 30 to 90, over 90
    last_run: datetime | None
    last_counts: dict[str, int]


@offloading
async def privacy_report(session: AsyncSession, *, now: datetime) -> PrivacyReport:
    people = select(func.count()).select_from(User).where(User.id > 0)
    seekers = select(func.count(distinct(HelpRequest.seeker_id))).where(HelpRequest.seeker_id > 0)
    by_status = (
        select(Volunteer.status, func.count())
        .where(Volunteer.user_id > 0)
        .group_by(Volunteer.status)
    )
    coordinators = select(func.count()).select_from(Coordinator)
    volunteers = {VolunteerStatus(s): int(n) for s, n in await session.execute(by_status)}
    last = await session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == AuditAction.RETENTION_RUN)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    return PrivacyReport(
        people=await session.scalar(people) or 0,
        seekers=await session.scalar(seekers) or 0,
        volunteers=volunteers,
        coordinators=await session.scalar(coordinators) or 0,
        requests_by_age=await _ages(session, now),
        last_run=last.at if last else None,
        last_counts=parse_counts(last.detail) if last else {},
    )


async def _ages(session: AsyncSession, now: datetime) -> tuple[int, int, int]:
    month, quarter = now - timedelta(days=30), now - timedelta(days=90)
    total = select(func.count()).select_from(HelpRequest)
    young = await session.scalar(total.where(HelpRequest.created_at >= month)) or 0
    old = await session.scalar(total.where(HelpRequest.created_at < quarter)) or 0
    everything = await session.scalar(total) or 0
    return young, everything - young - old, old


def format_counts(counts: dict[str, int]) -> str:
    """The audit row's detail of a retention run: "name=n" words."""
    return " ".join(f"{name}={n}" for name, n in counts.items())


def parse_counts(detail: str) -> dict[str, int]:
    pairs = (word.split("=", 1) for word in detail.split() if "=" in word)
    return {name: int(n) for name, n in pairs if n.isdecimal()}


async def find_person(session: AsyncSession, who: int | str) -> User | None:
    """Anybody Lotse stores, by Telegram id or username (without the @, any case)."""
    if isinstance(who, int):
        return await session.get(User, who)
    return await session.scalar(select(User).where(func.lower(User.username) == who.lower()))
