"""Which language a piece of free text is written in, from its script and the writer's hint."""

from __future__ import annotations

LANGUAGES = ("de", "en", "ar", "uk", "ru", "fa", "tr")
RTL = frozenset({"ar", "fa"})
_UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
_FARSI_ONLY = set("پچژگکی")  # letters Persian uses and Arabic does not
_TURKISH_ONLY = set("ğışİĞŞ")
_GERMAN_HINTS = set("äöüßÄÖÜ")
# A few of the most frequent words decide between Latin-script languages.
_STOPWORDS = {
    "de": frozenset(
        (
            "ich",
            "und",
            "der",
            "die",
            "das",
            "nicht",
            "mit",
            "für",
            "bitte",
            "einen",
            "ein",
            "eine",
            "zu",
            "von",
            "ist",
            "wir",
            "mein",
            "meine",
        )
    ),
    "en": frozenset(
        (
            "i",
            "and",
            "the",
            "to",
            "with",
            "for",
            "please",
            "a",
            "my",
            "is",
            "we",
            "need",
            "help",
            "of",
        )
    ),
    "tr": frozenset(
        ("ve", "bir", "bu", "için", "ben", "yardım", "lütfen", "çok", "da", "de", "ile")
    ),
}


def detect_language(text: str, hint: str) -> str:
    """The language of `text`; `hint` (the writer's interface language) decides when the
    script alone cannot, e.g. Latin text without telltale letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return hint
    arabic = sum("\u0600" <= c <= "\u06ff" for c in letters)
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters)
    chars = set(letters)
    if arabic * 2 > len(letters):
        if hint in RTL:
            return hint
        return "fa" if chars & _FARSI_ONLY else "ar"
    if cyrillic * 2 > len(letters):
        if hint in ("uk", "ru"):
            return hint
        return "uk" if chars & _UKRAINIAN_ONLY else "ru"
    if chars & _TURKISH_ONLY:
        return "tr"
    if chars & _GERMAN_HINTS:
        return "de"
    words = [w.strip(".,!?;:()\"'").lower() for w in text.split()]
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == hint))
    if scores[best]:
        return best
    return hint if hint in _STOPWORDS else "de"
