"""The languages Lotse speaks to people: exactly seven, in the order the picker shows them, each
named in itself (an own name reads right to everyone). One is offered only while its catalog is
there (aiogram's `I18n.available_locales`), so a new catalog is used the moment it lands."""

from __future__ import annotations

from collections.abc import Collection

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("de", "Deutsch"),
    ("en", "English"),
    ("uk", "Українська"),
    ("ru", "Русский"),
    ("ar", "العربية"),
    ("fa", "فارسی"),
    ("tr", "Türkçe"),
)
CODES = tuple(code for code, _name in LANGUAGES)
OWN_NAMES = dict(LANGUAGES)


def own_name(code: str) -> str:
    return OWN_NAMES.get(code, code)


def base_language(code: str | None) -> str:
    """Telegram's language_code without the region: "uk-UA" -> "uk", "pt_BR" -> "pt"."""
    return (code or "").replace("_", "-").split("-")[0].strip().lower()


def offered(available: Collection[str]) -> list[str]:
    """The languages that have a catalog, in the fixed order."""
    return [code for code in CODES if code in available]


def own_language(chosen: str | None, language_code: str | None) -> str | None:
    """The person's own language, whether or not Lotse speaks it: their choice, else their
    Telegram language without the region (the hint for reading what they write)."""
    return base_language(chosen or language_code) or None


def interface_language(
    chosen: str | None, language_code: str | None, available: Collection[str]
) -> str | None:
    """The person's own choice; else their Telegram language, if it has a catalog; else None:
    we do not know, and ask (the language picker) before saying anything else."""
    if chosen and chosen in available:
        return chosen
    language = base_language(language_code)
    return language if language in available else None
