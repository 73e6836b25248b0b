"""Reading the personal-data marks (db/privacy.py) over the whole metadata: which rows name a
person, and how a JSON value or a string that mentions them is rewritten. Generic on purpose:
a table declared with marks is covered with no code here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, Table, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Base, User
from db.privacy import PERSON_KEYS, Kind, columns, owner_of

SOMEONE_ELSE = "someone else"
ERASED = "—"  # what stands where an erased person's name stood


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    username: str | None
    texts: tuple[str, ...] = ()  # what they wrote (a request's description), as stored

    @property
    def words(self) -> tuple[str, ...]:
        """Their name, username and texts as they may appear inside other text (too short
        ones would hit other words and are left alone); the longest first."""
        found = {w for w in (self.name, self.username, *self.texts) if w and len(w) >= 3}
        return tuple(sorted(found, key=len, reverse=True))


async def person(session: AsyncSession, user_id: int) -> Person:
    """The person with what identifies them in text: their name, username and texts (read
    over the metadata: every text column whose owner is them)."""
    user = await session.get(User, user_id)
    texts: list[str] = []
    for table in tables():
        for column in columns(table, Kind.TEXT):
            owner = owner_of(table, column)
            if owner is not None:
                found = await session.scalars(select(column).where(owner == user_id))
                texts += [t for t in found if t]
    if user is None:
        return Person(user_id, "", None, tuple(texts))
    return Person(user_id, user.first_name or "", user.username, tuple(texts))


def tables() -> Iterator[Table]:
    """Every table with a personal column, parents before children."""
    for table in Base.metadata.sorted_tables:
        if any(c.info.get("personal") not in (None, Kind.NONE) for c in table.columns):
            yield table


def naming(table: Table, who: Person) -> ColumnElement[bool] | None:
    """Rows of `table` that name the person: an id column equal to them, or a JSON value or a
    key whose text holds their id, name or username (checked again exactly in Python)."""
    terms: list[ColumnElement[bool]] = [c == who.id for c in columns(table, Kind.ID)]
    needles = (str(who.id), *who.words)
    for column in columns(table, Kind.JSON, Kind.KEY):
        text = cast(column, String)
        terms += [text.contains(needle, autoescape=True) for needle in needles]
    return or_(*terms) if terms else None


def _id_pattern(user_id: int) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d-]){user_id}(?!\d)")


def mentions(value: Any, who: Person) -> bool:
    """The JSON value (or string) carries the person's id under a person key, their id in a
    text, their name or their username."""
    found = False

    def look(text: str) -> str:
        nonlocal found
        found = found or bool(_id_pattern(who.id).search(text))
        found = found or any(word in text for word in who.words)
        return text

    def look_id(number: int) -> Any:
        nonlocal found
        found = found or number == who.id
        return number

    walk(value, look, look_id)
    return found


def walk(value: Any, text: Callable[[str], Any], person_id: Callable[[int], Any]) -> Any:
    """A copy of a JSON value with every string passed through `text` and every id under a
    person key (PERSON_KEYS) through `person_id`."""
    if isinstance(value, dict):
        return {k: _walk_item(k, v, text, person_id) for k, v in value.items()}
    if isinstance(value, list):
        return [walk(item, text, person_id) for item in value]
    if isinstance(value, str):
        return text(value)
    return value


def _walk_item(
    key: str, value: Any, text: Callable[[str], Any], person_id: Callable[[int], Any]
) -> Any:
    if key in PERSON_KEYS:
        if isinstance(value, int) and not isinstance(value, bool):
            return person_id(value)
        if isinstance(value, list):
            return [person_id(v) if isinstance(v, int) else walk(v, text, person_id) for v in value]
    return walk(value, text, person_id)


def replace_in_text(text: str, who: Person, *, id_to: str, name_to: str) -> str:
    """The text with the person's id and their name and username replaced."""
    text = _id_pattern(who.id).sub(id_to, text)
    for word in who.words:
        text = text.replace(word, name_to)
    return text
