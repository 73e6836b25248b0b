"""Reading the districts and skills file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from matching.areas import Areas


def load_areas(path: Path) -> Areas:
    with path.open("rb") as fh:
        return Areas.from_dict(tomllib.load(fh))
