"""Districts and skills a deployment offers: stable keys, with labels to show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Areas:
    districts: Mapping[str, str]
    skills: Mapping[str, str]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Areas:
        districts, skills = data.get("districts"), data.get("skills")
        if not isinstance(districts, Mapping) or not isinstance(skills, Mapping):
            raise ValueError("areas need [districts] and [skills] tables")
        if not districts or not skills:
            raise ValueError("areas need at least one district and one skill")
        for key in (*districts, *skills):
            if not key.isascii() or not key.replace("_", "").isalnum() or len(key) > 24:
                raise ValueError(f"area key {key!r} must be short ASCII letters, digits or _")
        return cls(
            districts={str(k): str(v) for k, v in districts.items()},
            skills={str(k): str(v) for k, v in skills.items()},
        )
