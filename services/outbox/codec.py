"""How a payload dataclass becomes the JSON an outbox row stores, and back, strictly: a key
missing or a key unknown is an error, so a wrong key is found where the payload is made, not
when the message is sent.

JSON keys are the field names. A field marked `inline()` (the facts of a request, shared by
several kinds) puts its own fields at the top level, so the stored JSON stays flat.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import (
    Any,
    Self,
    TypeVar,
    Union,
    cast,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

PERSONAL = "personal"
INLINE = "inline"

T = TypeVar("T")


class PayloadError(ValueError):
    """A stored payload that does not fit its kind."""


def personal() -> Any:
    """Marks a field as personal data (a name, a username, free text as written): the one way
    to say so, read by `personal_fields`."""
    return field(metadata={PERSONAL: True})


def inline() -> Any:
    """A field whose own fields are stored at the payload's top level."""
    return field(metadata={INLINE: True})


@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(field, personal, inline)
)
def record(cls: type[T]) -> type[T]:
    """A payload, or a part of one: frozen, built with keywords only."""
    return dataclass(frozen=True, kw_only=True)(cls)


class Record:
    """What every payload and every part of one can do."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in _fields(type(self)):
            value = getattr(self, f.name)
            if f.metadata.get(INLINE):
                data |= value.to_json()
            else:
                data[f.name] = _encode(value)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        expected = keys(cls)
        if unknown := set(data) - expected:
            raise PayloadError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
        if missing := expected - set(data):
            raise PayloadError(f"{cls.__name__}: missing keys {sorted(missing)}")
        hints = _hints(cls)
        values: dict[str, Any] = {}
        for f in _fields(cls):
            part = hints[f.name]
            if f.metadata.get(INLINE):
                values[f.name] = part.from_dict({key: data[key] for key in keys(part)})
            else:
                values[f.name] = _decode(part, data[f.name])
        return cls(**values)


def _fields(cls: type[Record]) -> tuple[Field[Any], ...]:
    return fields(cast(Any, cls))


# Per class, worked out once: resolving type hints costs more than decoding a payload.
_HINTS: dict[type[Record], dict[str, Any]] = {}
_KEYS: dict[type[Record], frozenset[str]] = {}


def _hints(cls: type[Record]) -> dict[str, Any]:
    """The fields' types."""
    if (hints := _HINTS.get(cls)) is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    return hints


def keys(cls: type[Record]) -> frozenset[str]:
    """The top-level JSON keys of `cls`, inline parts flattened."""
    if (known := _KEYS.get(cls)) is not None:
        return known
    hints = _hints(cls)
    found: set[str] = set()
    for f in _fields(cls):
        found |= keys(hints[f.name]) if f.metadata.get(INLINE) else {f.name}
    _KEYS[cls] = frozenset(found)
    return _KEYS[cls]


def personal_fields(cls: type[Record]) -> frozenset[str]:
    """The JSON keys of `cls` that hold personal data (inline parts included)."""
    hints = _hints(cls)
    found: set[str] = set()
    for f in _fields(cls):
        if f.metadata.get(INLINE):
            found |= personal_fields(hints[f.name])
        elif f.metadata.get(PERSONAL):
            found.add(f.name)
    return frozenset(found)


def _encode(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_json()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    return value


_PARSE: dict[Any, Callable[[Any], Any]] = {
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
}


def _decode(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):  # X | None
        if value is None:
            return None
        (hint,) = (arg for arg in get_args(hint) if arg is not type(None))
        return _decode(hint, value)
    if origin is tuple:
        return tuple(_decode(get_args(hint)[0], item) for item in value)
    if hint in _PARSE:
        return _PARSE[hint](value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(hint, type) and is_dataclass(hint) and issubclass(hint, Record):
        return hint.from_dict(value)
    return value
