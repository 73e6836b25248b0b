"""The coordinators (the admins) and the audit log of what they did (imported by db/models.py,
so the metadata and Alembic see them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, TelegramId, _enum
from db.privacy import Erase, Kind, personal
from matching.status import AuditAction


class Coordinator(Base):
    __tablename__ = "coordinators"

    user_id: Mapped[int] = mapped_column(
        TelegramId,
        primary_key=True,
        autoincrement=False,
        info=personal(Kind.ID, erase=Erase.DELETE),
    )
    # None for the coordinators named in the settings, seeded at start.
    added_by: Mapped[int | None] = mapped_column(BigInteger, info=personal(Kind.ID))
    added_at: Mapped[datetime]


class AuditEntry(Base):
    """One admin action. `detail` is short and holds no personal data (ids and numbers only)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor_id: Mapped[int] = mapped_column(BigInteger, info=personal(Kind.ID))
    action: Mapped[AuditAction] = mapped_column(_enum(AuditAction))
    target_user_id: Mapped[int | None] = mapped_column(BigInteger, info=personal(Kind.ID))
    target_request_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(200), default="", info=personal(Kind.KEY))
