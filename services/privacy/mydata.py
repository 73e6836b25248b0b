"""/mydata: everything stored about a person, found over the whole metadata through the marks
(db/privacy.py): every row where a personal id column is theirs, or whose JSON or key names
them. Nothing about anybody else goes with it: other people's ids, names and texts in those
rows become "someone else"."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import offloading
from db.privacy import Kind, columns, kind_of, owner_of
from services.outbox.codec import personal_fields
from services.outbox.payloads import PAYLOADS
from services.privacy.marks import SOMEONE_ELSE, Person, mentions, naming, person, tables, walk

# JSON keys whose values are personal (names, texts, a rendered message): shown only when
# they are the person's own.
PERSONAL_KEYS = frozenset().union(*(personal_fields(cls) for cls in PAYLOADS.values()))
LINK = re.compile(r"tg://user\?id=(-?\d+)")


@offloading
async def my_data(session: AsyncSession, *, user_id: int) -> dict[str, Any]:
    """{"person": id, "tables": {table: [row, ...]}}, ready for json.dumps."""
    who = await person(session, user_id)
    found: dict[str, list[dict[str, Any]]] = {}
    for table in tables():
        rows = await _rows(session, table, who)
        if rows:
            found[table.name] = rows
    return {"person": user_id, "tables": found}


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, default=_plain).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


async def _rows(session: AsyncSession, table: Table, who: Person) -> list[dict[str, Any]]:
    where = naming(table, who)
    if where is None:
        return []
    result = await session.execute(select(table).where(where))
    return [
        _shown(table, dict(row._mapping), who) for row in result if _about(table, row._mapping, who)
    ]


def _about(table: Table, row: Any, who: Person) -> bool:
    """The exact check behind naming()'s wide one."""
    if any(row[c] == who.id for c in columns(table, Kind.ID)):
        return True
    return any(mentions(row[c], who) for c in columns(table, Kind.JSON, Kind.KEY))


def _shown(table: Table, row: dict[str, Any], who: Person) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    ids = columns(table, Kind.ID)
    for column in table.columns:
        value, kind = row[column.name], kind_of(column)
        if value is None or kind in (None, Kind.NONE):
            shown[column.name] = value
        elif kind is Kind.ID:
            shown[column.name] = value if value == who.id else SOMEONE_ELSE
        elif kind in (Kind.JSON, Kind.KEY):
            shown[column.name] = _json(value, who)
        else:
            owner = owner_of(table, column)
            owner = ids[0] if owner is None and ids else owner
            mine = owner is not None and row[owner.name] == who.id
            shown[column.name] = value if mine else SOMEONE_ELSE
    return shown


def _json(value: Any, who: Person) -> Any:
    def text(s: str) -> str:
        links = {int(n) for n in LINK.findall(s)}
        return SOMEONE_ELSE if links - {who.id} else s

    def person_id(n: int) -> Any:
        return n if n == who.id else SOMEONE_ELSE

    cleaned = walk(value, text, person_id)
    if isinstance(cleaned, dict):
        for key in PERSONAL_KEYS & set(cleaned):
            if not _own(cleaned[key], who):
                cleaned[key] = SOMEONE_ELSE
    return cleaned


def _own(value: Any, who: Person) -> bool:
    """A personal value that is the person's own: their name, username or text, or a message
    to them that names nobody else."""
    if isinstance(value, str):
        return value in (who.name, who.username, *who.texts)
    return (
        isinstance(value, dict)
        and value.get("chat_id") == who.id
        and SOMEONE_ELSE not in str(value)
    )
