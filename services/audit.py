"""The audit log: one row per admin action, written in the action's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HelpRequest, User
from db.role_models import AuditEntry
from matching.status import AuditAction

PAGE = 20


async def record(
    session: AsyncSession,
    *,
    actor_id: int,
    action: AuditAction,
    now: datetime,
    target_user_id: int | None = None,
    target_request_id: int | None = None,
    detail: str = "",
) -> None:
    """`detail` is short and carries no personal data: ids, dates, numbers."""
    session.add(
        AuditEntry(
            at=now,
            actor_id=actor_id,
            action=action,
            target_user_id=target_user_id,
            target_request_id=target_request_id,
            detail=detail[:200],
        )
    )


async def on_request(
    session: AsyncSession,
    actor_id: int,
    action: AuditAction,
    request_id: int,
    now: datetime,
    user_id: int | None = None,
) -> None:
    """The row of an action on a request (and, for an assignment, the volunteer)."""
    await record(
        session,
        actor_id=actor_id,
        action=action,
        now=now,
        target_user_id=user_id,
        target_request_id=request_id,
    )


async def on_meeting(
    session: AsyncSession,
    actor_id: int,
    action: AuditAction,
    meeting_id: int,
    now: datetime,
    user_id: int | None = None,
) -> None:
    """The row of an action on a meeting (and, for attendance, the volunteer)."""
    await record(
        session,
        actor_id=actor_id,
        action=action,
        now=now,
        target_user_id=user_id,
        detail=f"meeting {meeting_id}",
    )


@dataclass(frozen=True)
class Line:
    at: datetime
    actor_id: int
    actor_name: str
    action: AuditAction
    target_user_id: int | None
    target_name: str | None
    target_request_id: int | None
    request_ref: str | None
    detail: str


@dataclass(frozen=True)
class Page:
    lines: tuple[Line, ...]
    offset: int
    total: int

    @property
    def has_older(self) -> bool:
        return self.offset + len(self.lines) < self.total

    @property
    def has_newer(self) -> bool:
        return self.offset > 0


async def page(session: AsyncSession, *, offset: int = 0, size: int = PAGE) -> Page:
    """The newest first, `size` rows from `offset`."""
    await session.flush()
    total = await session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    offset = max(0, min(offset, max(total - 1, 0)))
    rows = await session.scalars(
        select(AuditEntry)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(size)
    )
    entries = list(rows)
    names = await _names(session, entries)
    refs = await _refs(session, entries)
    lines = tuple(_line(e, names, refs) for e in entries)
    return Page(lines=lines, offset=offset, total=total)


async def _names(session: AsyncSession, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {e.actor_id for e in entries} | {e.target_user_id for e in entries if e.target_user_id}
    if not ids:
        return {}
    found = await session.execute(select(User.id, User.first_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in found}


async def _refs(session: AsyncSession, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {e.target_request_id for e in entries if e.target_request_id}
    if not ids:
        return {}
    found = await session.execute(
        select(HelpRequest.id, HelpRequest.ref).where(HelpRequest.id.in_(ids))
    )
    return {request_id: ref for request_id, ref in found}


def _line(entry: AuditEntry, names: dict[int, str], refs: dict[int, str]) -> Line:
    target = entry.target_user_id
    return Line(
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=names.get(entry.actor_id, ""),
        action=entry.action,
        target_user_id=target,
        target_name=names.get(target) if target else None,
        target_request_id=entry.target_request_id,
        request_ref=refs.get(entry.target_request_id) if entry.target_request_id else None,
        detail=entry.detail,
    )
