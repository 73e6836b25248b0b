"""The privacy notice, one text file per language (`de.txt`, `en.txt`, …) in a folder: the
shipped one (bot/privacy), or an agency's own (LOTSE_PRIVACY_DIR). `{days}` in a text becomes
the setting LOTSE_KEEP_CLOSED_DAYS. The texts use Telegram's HTML (<b>, <i>, <a href>)."""

from __future__ import annotations

from pathlib import Path


class NoticeMissing(ValueError):
    """The folder has no notice at all."""


def load_notices(folder: Path) -> dict[str, str]:
    """Each language's notice, by its code (the file's name without `.txt`)."""
    texts = {
        path.stem: path.read_text(encoding="utf-8").strip()
        for path in sorted(folder.glob("*.txt"))
        if path.stem.isalpha()
    }
    if not any(texts.values()):
        raise NoticeMissing(
            f"{folder} has no privacy notice; put one file per language there, e.g. en.txt"
        )
    return {code: text for code, text in texts.items() if text}
