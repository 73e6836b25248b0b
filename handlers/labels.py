"""How structured values are shown: each in the reader's language, through the catalogs."""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import gettext as _
from babel.dates import format_skeleton

from matching.areas import Areas
from matching.status import WhenKind
from matching.text import clean, isolate


def N_(message: str) -> str:
    return message


# The shipped districts and skills (bot/areas_koeln.toml), marked for the catalogs. A deployment
# with its own file shows its labels as written unless its catalogs translate them.
SHIPPED_LABELS = (
    N_("Innenstadt"),
    N_("Rodenkirchen"),
    N_("Lindenthal"),
    N_("Ehrenfeld"),
    N_("Nippes"),
    N_("Chorweiler"),
    N_("Porz"),
    N_("Kalk"),
    N_("Mülheim"),
    N_("Accompanying to offices"),
    N_("School and parents' meetings"),
    N_("Furniture and moving"),
    N_("Interpreting"),
    N_("German practice"),
    N_("Homework help"),
    N_("Children"),
    N_("Events"),
    N_("Other"),
)

# Language names are shown in the language itself (an autonym reads right to everyone).
LANGUAGE_NAMES = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "uk": "Українська",
    "ru": "Русский",
    "fa": "فارسی",
    "tr": "Türkçe",
}


def name_label(name: str | None, fallback: str = "") -> str:
    """A person's name as Telegram gave it, isolated: a right-to-left override inside a name
    cannot reverse the message it is shown in. Plain text: escape it for HTML messages."""
    return isolate(clean(name or "").strip() or fallback)


def username_label(username: str) -> str:
    return isolate("@" + clean(username).strip())


def skill_label(areas: Areas, key: str) -> str:
    return _(areas.skills.get(key, key))


def district_label(areas: Areas, key: str) -> str:
    return _(areas.districts.get(key, key))


def language_label(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def format_day(day: date, locale: str) -> str:
    return format_skeleton("MMMMEEEEd", day, locale=locale)


def when_label(kind: WhenKind | str, day: date | None, locale: str) -> str:
    kind = WhenKind(kind)
    if kind is WhenKind.TODAY:
        return _("Today")
    if kind is WhenKind.WEEK:
        return _("This week")
    if kind is WhenKind.DATE and day is not None:
        return format_day(day, locale)
    return _("Flexible")
