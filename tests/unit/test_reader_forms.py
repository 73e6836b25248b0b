"""What each reader sees of structured values: dates and times in their locale's forms, names of
languages in their language, the areas file's labels per language, and the direction mark."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n

from bot.areas import load_areas
from bot.config import DEFAULT_AREAS_FILE, DEFAULT_LOCALES_DIR
from handlers.views.direction import RLM, for_reader, quoted
from handlers.views.labels import (
    _display_name,
    district_label,
    language_label,
    skill_label,
    warm_up,
)
from handlers.views.time import clock_label, day_label, moment_label, span_label
from matching.areas import Areas
from matching.locales import CODES
from matching.text import FSI, PDI

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = date(2026, 11, 27)
EVENING = datetime(2026, 11, 27, 20, 5, tzinfo=UTC)  # 21:05 in Berlin


@pytest.mark.parametrize(
    ("locale", "day"),
    [("de", "Fr., 27. November"), ("en", "Fri, Nov 27"), ("ar", "الجمعة، 27 نوفمبر")],
)
def test_a_day_is_written_in_the_readers_form_when_shown(locale: str, day: str) -> None:
    assert day_label(FRIDAY, locale) == day


def test_times_are_in_the_deployments_zone_and_the_readers_clock_when_shown() -> None:
    assert clock_label(EVENING, "de", BERLIN) == f"{FSI}21:05{PDI}"
    assert clock_label(EVENING, "en", BERLIN) == f"{FSI}9:05\u202fPM{PDI}"
    assert clock_label(EVENING, "ar", BERLIN) == f"{FSI}9:05 م{PDI}"
    assert moment_label(EVENING, "de", BERLIN) == f"{FSI}Fr., 21:05{PDI}"


def test_quiet_hours_use_the_readers_clock_when_shown() -> None:
    assert span_label(22 * 60, 7 * 60, "de") == f"{FSI}22:00–07:00{PDI}"
    assert span_label(22 * 60, 7 * 60, "en") == f"{FSI}10:00\u202fPM–7:00\u202fAM{PDI}"


@pytest.mark.parametrize(
    ("reader", "names"),
    [
        ("de", ["Deutsch", "Englisch", "Persisch", "Arabisch"]),
        ("en", ["German", "English", "Persian", "Arabic"]),
        ("ar", ["الألمانية", "الإنجليزية", "الفارسية", "العربية"]),
    ],
)
def test_a_language_is_named_in_the_readers_language_when_shown(
    reader: str, names: list[str]
) -> None:
    assert [language_label(code, reader) for code in ("de", "en", "fa", "ar")] == names


def test_every_one_of_the_seven_has_a_name_in_every_one_of_the_seven_when_shown() -> None:
    for reader in CODES:
        assert all(language_label(code, reader) != code for code in CODES)


def test_the_right_to_left_mark_is_added_once_and_only_for_arabic_and_farsi_readers() -> None:
    assert for_reader("K7M2QP", "ar") == RLM + "K7M2QP"
    assert for_reader(for_reader("x", "fa"), "fa") == RLM + "x"
    assert for_reader("x", "de") == "x" and for_reader("x", None) == "x"


def test_each_line_of_free_text_is_isolated_when_quoted() -> None:
    assert quoted("مرحبا\n\nHallo\u202e") == f"{FSI}مرحبا{PDI}\n\n{FSI}Hallo{PDI}"


def areas(labels: dict[str, Any] | None = None) -> Areas:
    data: dict[str, Any] = {"districts": {"kalk": "Kalk"}, "skills": {"other": "Other"}}
    if labels is not None:
        data["labels"] = labels
    return Areas.from_dict(data)


def shown(a: Areas, locale: str) -> tuple[str, str]:
    i18n = I18n(path=DEFAULT_LOCALES_DIR, default_locale="de")
    with i18n.context(), i18n.use_locale(locale):
        return skill_label(a, "other"), district_label(a, "kalk")


def test_a_label_for_the_readers_language_wins_over_the_catalogs_when_the_file_has_one() -> None:
    a = areas({"uk": {"skills": {"other": "Інше"}, "districts": {"kalk": "Кальк"}}})
    assert shown(a, "uk") == ("Інше", "Кальк")
    assert shown(a, "de") == ("Sonstiges", "Kalk")  # no German table: the catalog's


def test_labels_come_from_the_catalogs_when_the_file_has_no_label_tables() -> None:
    assert areas().skill_labels == {} and shown(areas(), "de") == ("Sonstiges", "Kalk")


@pytest.mark.parametrize(
    "labels",
    [
        {"uk": {"skills": {"cooking": "Кухня"}}},  # a key the file does not define
        {"uk": {"skills": "Інше"}},
        {"uk": "Інше"},
        ["uk"],
    ],
)
def test_the_areas_file_is_refused_when_its_labels_are_malformed(labels: Any) -> None:
    with pytest.raises(ValueError):
        areas(labels)


def test_the_shipped_file_names_every_skill_in_all_seven_languages_when_loaded() -> None:
    koeln = load_areas(Path(DEFAULT_AREAS_FILE))
    for code in CODES:
        assert set(koeln.skill_labels[code]) == set(koeln.skills), code
    assert koeln.district_labels["uk"]["ehrenfeld"] == "Еренфельд"
    assert koeln.district_labels["ar"]["ehrenfeld"] == "إيرنفيلد"


def test_counts_are_isolated_for_right_to_left_readers_only() -> None:
    from pathlib import Path

    from aiogram.utils.i18n import I18n

    from handlers.views.direction import number

    i18n = I18n(path=Path(__file__).resolve().parents[2] / "locales", default_locale="de")
    with i18n.context():
        for locale, expected in (("ar", "\u20683\u2069"), ("fa", "\u20683\u2069"), ("de", "3")):
            with i18n.use_locale(locale):
                assert number(3) == expected
    assert number(3) == "3"  # outside an update: no reader, nothing to isolate


def test_every_name_is_looked_up_at_start_when_the_labels_are_warmed_up() -> None:
    """Babel reads a locale's data from disk on first use (about 0.2 s on a busy machine):
    the app does it at start, not in the middle of the first offers it sends."""
    _display_name.cache_clear()
    warm_up(CODES)
    before = _display_name.cache_info()
    for reader in CODES:
        for code in CODES:
            language_label(code, reader)
    after = _display_name.cache_info()
    assert after.misses == before.misses  # nothing left to look up
    assert after.hits - before.hits == len(CODES) ** 2
