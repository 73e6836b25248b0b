"""The request history: every step, offer, answer and manual action is a row."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RequestEvent


class EventKind(enum.StrEnum):
    CREATED = "created"
    OFFERED = "offered"
    NO_CANDIDATES = "no_candidates"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    RELEASED = "released"
    DONE = "done"
    CANCELLED = "cancelled"
    ESCALATED = "escalated"
    COORDINATORS_NOTIFIED = "coordinators_notified"
    EXTENDED = "extended"
    ASSIGNED = "assigned"
    CLOSED = "closed"
    VOLUNTEER_BANNED = "volunteer_banned"  # a coordinator ended the assignee's role


def record(
    session: AsyncSession,
    *,
    request_id: int,
    kind: EventKind,
    now: datetime,
    actor_id: int | None = None,
    **data: Any,
) -> None:
    session.add(
        RequestEvent(request_id=request_id, at=now, kind=kind.value, actor_id=actor_id, data=data)
    )
