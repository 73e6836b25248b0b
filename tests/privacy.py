"""What the privacy tests look for: every row of every table, serialised, searched for a
person's Telegram id, name, username and texts (generic over the ORM metadata)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Base


async def all_rows(session: AsyncSession) -> list[tuple[str, str]]:
    """(table, the row as JSON) for every row of every table."""
    found: list[tuple[str, str]] = []
    for table in Base.metadata.sorted_tables:
        for row in await session.execute(select(table)):
            found.append((table.name, json.dumps(dict(row._mapping), default=str)))
    return found


def traces(rows: Iterable[tuple[str, str]], user_id: int, words: Iterable[str]) -> list[str]:
    """The rows that hold the id (as a whole number) or any of the words."""
    pattern = re.compile(rf"(?<![\d-]){user_id}(?!\d)")
    words = [w for w in words if w]
    return [
        f"{table}: {text}"
        for table, text in rows
        if pattern.search(text) or any(w in text for w in words)
    ]
