"""Which columns hold personal data: the one place that says so is the column itself.

Every column that holds a person's Telegram id, a name, a username, free text a person wrote,
or JSON or a key that may carry those, is declared with `personal(...)` in its model; a column
whose name suggests a person but holds nothing personal says so with `not_personal()`.
services/privacy walks `Base.metadata` and reads these marks to show a person their data
(/mydata), to erase it (/forget) and to keep it no longer than needed, so a table added later
is covered by declaring its columns. tests/unit/test_privacy_marks.py refuses a column whose
name suggests a person and that is not declared either way.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Column, Table

MARK = "personal"
ERASE = "erase"
OWNER = "owner"


class Kind(enum.StrEnum):
    ID = "id"  # a person's Telegram id
    NAME = "name"  # a name as Telegram gives it
    USERNAME = "username"
    TEXT = "text"  # free text as a person wrote it
    KEY = "key"  # a string that may contain a person's id (a dedupe key, an FSM key)
    JSON = "json"  # JSON that may carry ids, names and texts (see PERSON_KEYS)
    NONE = "none"  # looks personal by its name, but is not (the reason is in a comment)


class Erase(enum.StrEnum):
    """What erasing a person does to a row whose id column names them."""

    REKEY = "rekey"  # the row stays for the statistics, linked to a tombstone id
    DELETE = "delete"  # the row goes


# JSON keys (request_events.data, outbox payloads) whose values are people's Telegram ids.
PERSON_KEYS = frozenset(
    {"volunteer_id", "seeker_id", "volunteers", "unreachable", "by", "chat_id", "user_id"}
)


def personal(kind: Kind, *, erase: Erase = Erase.REKEY, owner: str | None = None) -> dict[str, Any]:
    """The `info` of a personal column. `owner`: for a text or a name, the id column of the
    person it belongs to (a request's description is its seeker's, not its volunteer's)."""
    return {MARK: kind, ERASE: erase, OWNER: owner}


def person_id(*, gone: bool = False) -> dict[str, Any]:
    """A person's Telegram id; `gone`: the row goes when they are erased (else it is re-keyed)."""
    return personal(Kind.ID, erase=Erase.DELETE if gone else Erase.REKEY)


def text_of(owner: str) -> dict[str, Any]:
    """Free text that belongs to the person in the id column `owner`."""
    return personal(Kind.TEXT, owner=owner)


def not_personal() -> dict[str, Any]:
    return {MARK: Kind.NONE}


def kind_of(column: Column[Any]) -> Kind | None:
    mark = column.info.get(MARK)
    return Kind(mark) if mark is not None else None


def columns(table: Table, *kinds: Kind) -> list[Column[Any]]:
    return [c for c in table.columns if kind_of(c) in kinds]


def erase_of(column: Column[Any]) -> Erase:
    return Erase(column.info.get(ERASE, Erase.REKEY))


def owner_of(table: Table, column: Column[Any]) -> Column[Any] | None:
    """The id column whose person owns this text or name (None: the table's own person)."""
    owner = column.info.get(OWNER)
    return table.columns[owner] if owner else None
