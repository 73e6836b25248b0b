"""Text people send us, made safe to store and to show. Standard library only.

PostgreSQL's text columns refuse NUL, and a UTF-8 encoder refuses lone surrogates (a forged
update can carry "\\ud800" in its JSON): either would fail the whole transaction. A name with a
right-to-left override reverses the rest of the line it is shown in.
"""

from __future__ import annotations

import unicodedata

FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE
_KEPT_CONTROLS = frozenset("\n\t")
# Embeddings, overrides, isolates, LRM/RLM and the Arabic letter mark: everything that could
# change the direction of text around a name.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)


def clean(text: str) -> str:
    """Drop control characters (except newline and tab) and lone surrogates; normalise to NFC.

    Format characters stay: Persian needs the zero-width non-joiner inside words."""
    kept = "".join(
        ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return unicodedata.normalize("NFC", kept)


def visible_count(text: str) -> int:
    """Letters and digits (categories L* and N*): what a reader can actually read."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def has_visible_letters(text: str, minimum: int = 1) -> bool:
    """At least `minimum` letters or digits; spaces, marks, zero-width and format characters
    do not count."""
    return visible_count(text) >= minimum


def isolate(name: str) -> str:
    """Wrap a name (or any run: a number, a time) so it cannot change the direction of the text
    around it: its own direction controls are removed, then it is isolated."""
    inner = "".join(ch for ch in name if ch not in BIDI_CONTROLS)
    return f"{FSI}{inner}{PDI}"
