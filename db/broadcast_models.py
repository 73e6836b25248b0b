"""Broadcasts: a coordinator's message to the volunteers a filter picks (imported by
db/models.py, so the metadata and Alembic see them). Each recipient's message is an outbox row
that carries the broadcast's id (`OutboxMessage.broadcast_id`), so its progress is one indexed
count by status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, _enum
from db.privacy import Kind, not_personal, personal
from matching.status import BroadcastStatus


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The coordinator's draft that made it: a second tap on Send finds this row.
    draft_key: Mapped[str] = mapped_column(String(36), unique=True)
    created_by: Mapped[int] = mapped_column(BigInteger, info=personal(Kind.ID))
    # Where the progress message goes: the coordinator's chat.
    chat_id: Mapped[int] = mapped_column(BigInteger, info=personal(Kind.ID))
    # The agency's announcement to many, about nobody.
    text: Mapped[str] = mapped_column(Text, info=not_personal())
    filter: Mapped[dict[str, Any]] = mapped_column(info=not_personal())  # districts, skills
    status: Mapped[BroadcastStatus] = mapped_column(_enum(BroadcastStatus), index=True)
    total: Mapped[int] = mapped_column(Integer)
    progress_outbox_id: Mapped[int | None] = mapped_column(Integer)
    # When the progress message was last brought up to date (at most every few seconds).
    progress_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]  # done, or cancelled
    reported_at: Mapped[datetime | None]  # the final count written
