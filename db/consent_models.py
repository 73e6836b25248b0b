"""A person's answer to the privacy notice, in a table of its own: somebody who declined has this
row and no other (imported by db/models.py, so the metadata and Alembic see it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, TelegramId, _enum
from db.privacy import person_id
from matching.status import Consent


class ConsentRow(Base):
    __tablename__ = "consents"

    user_id: Mapped[int] = mapped_column(
        TelegramId, primary_key=True, autoincrement=False, info=person_id(gone=True)
    )
    choice: Mapped[Consent] = mapped_column(_enum(Consent))
    at: Mapped[datetime]
