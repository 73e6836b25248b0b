"""Typed access to Bot API call parameters, whatever encoding the client used.

aiogram posts multipart form data in which every value is a string: numbers and booleans are
JSON literals and objects (``reply_markup``…) are JSON text. JSON bodies carry real types.
Both are read through the same accessors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.emulator.models import JsonDict, bad_request


class Params:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = dict(raw)

    def __contains__(self, key: str) -> bool:
        return self._raw.get(key) not in (None, "")

    def raw(self, key: str) -> Any:
        return self._raw.get(key)

    def get_str(self, key: str, default: str | None = None) -> str | None:
        value = self._raw.get(key)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, key: str, default: int | None = None) -> int | None:
        value = self._raw.get(key)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {key} specified") from None

    def required_int(self, key: str) -> int:
        value = self.get_int(key)
        if value is None:
            raise bad_request(f"{key} is empty")
        return value

    def flag(self, key: str) -> bool:
        value = self._raw.get(key)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, key: str) -> Any:
        value = self._raw.get(key)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"can't parse {key} JSON object") from None

    def json_object(self, key: str) -> JsonDict | None:
        value = self.get_json(key)
        if value is not None and not isinstance(value, dict):
            raise bad_request(f"can't parse {key} JSON object")
        return value

    def str_list(self, key: str) -> list[str] | None:
        value = self.get_json(key)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(f"can't parse {key} JSON array")
        return [str(item) for item in value]
