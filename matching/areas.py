"""Districts and skills a deployment offers: stable keys, with labels to show.

The file's [districts] and [skills] give each key its default label (shown through the
catalogs). Optional [labels.<language>.districts] and [labels.<language>.skills] tables give a
key its label in one language; such a label wins over the catalogs'."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Labels = Mapping[str, Mapping[str, str]]  # language -> key -> label


@dataclass(frozen=True)
class Areas:
    districts: Mapping[str, str]
    skills: Mapping[str, str]
    district_labels: Labels = field(default_factory=dict)
    skill_labels: Labels = field(default_factory=dict)

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
        labels = data.get("labels", {})
        if not isinstance(labels, Mapping):
            raise ValueError("[labels] must be a table of languages")
        return cls(
            districts={str(k): str(v) for k, v in districts.items()},
            skills={str(k): str(v) for k, v in skills.items()},
            district_labels=_labels(labels, "districts", districts),
            skill_labels=_labels(labels, "skills", skills),
        )


def _labels(labels: Mapping[str, Any], kind: str, keys: Mapping[str, Any]) -> Labels:
    """Each language's labels of one kind; a label for a key the file does not define is a
    typo, and refused."""
    out: dict[str, dict[str, str]] = {}
    for language, tables in labels.items():
        table = tables.get(kind, {}) if isinstance(tables, Mapping) else None
        if not isinstance(table, Mapping):
            raise ValueError(f"[labels.{language}.{kind}] must be a table")
        unknown = sorted(set(table) - set(keys))
        if unknown:
            raise ValueError(f"[labels.{language}.{kind}] names unknown keys: {unknown}")
        out[str(language)] = {str(k): str(v) for k, v in table.items()}
    return out
