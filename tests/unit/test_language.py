"""matching.language: the script first, the model within the script, the writer's language where
the model is unsure. The four failures of the old heuristic are the first table."""

from __future__ import annotations

import pytest

from matching import language
from matching.language import LANGUAGES, detect_language, script_of


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("Треба заповнити анкету для Jobcenter, дуже складно", "uk", "uk"),
        ("Cocugumun okulunda ogretmenle gorusmem var, tercuman lazim", "tr", "tr"),
        ("Cocugumun okulunda ogretmenle gorusmem var, tercuman lazim", "de", "tr"),
        ("I have an appointment at the Ausländerbehörde and need a translator.", "en", "en"),
        ("I have an appointment at the Ausländerbehörde and need a translator.", "de", "en"),
        ("براي خانه جديد تخت و كمد لازم داريم", "fa", "fa"),
    ],
)
def test_old_failures_are_detected_right_when_the_text_is_typical(
    text: str, hint: str, expected: str
) -> None:
    assert detect_language(text, hint) == expected


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("Ich brauche Hilfe beim Umzug", {"de", "en", "tr"}),
        ("Мне нужна помощь с переводом", {"uk", "ru"}),
        ("Потрібна допомога з переїздом", {"uk", "ru"}),
        ("أحتاج مساعدة في تعبئة استمارة", {"ar", "fa"}),
        ("برای پر کردن فرم به کمک نیاز دارم", {"ar", "fa"}),
        ("Как записаться на Anmeldung в Bürgeramt?", {"uk", "ru"}),
        ("عندي موعد في Ausländerbehörde", {"ar", "fa"}),
    ],
)
def test_result_is_a_language_of_the_script_when_any_hint_is_given(
    text: str, candidates: set[str]
) -> None:
    for hint in (*LANGUAGES, None, "xx"):
        assert detect_language(text, hint) in candidates


def test_office_names_in_latin_do_not_change_the_script_when_the_text_is_cyrillic() -> None:
    letters = [c for c in "Як записатися на Anmeldung у Bürgeramt?" if c.isalpha()]
    assert script_of(letters) == "cyrillic"
    assert detect_language("Як записатися на Anmeldung у Bürgeramt?", "uk") == "uk"


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        # Cyrillic without і/ї/є/ґ (and without ы/э/ъ/ё): the writer's own language.
        ("Шукаю шафу та диван", "uk", "uk"),
        ("Запись к врачу", "ru", "ru"),
        ("Треба допомога з ремонтом квартири", "uk", "uk"),
        ("Кто может помочь с документами?", "ru", "ru"),
        # Telltale letters decide whatever the hint.
        ("Потрібна допомога з переїздом", "ru", "uk"),
        ("Нужна тёплая одежда для детей", "uk", "ru"),
        # Farsi typed with Arabic ي/ك, and Arabic: the writer's own language.
        ("من به كمك براي نوشتن نامه احتياج دارم", "fa", "fa"),
        ("أحتاج مساعدة في الترجمة", "ar", "ar"),
        ("برای پر کردن فرم به کمک نیاز دارم", "ar", "fa"),
    ],
)
def test_lookalikes_lean_to_the_writer_when_the_evidence_is_weak(
    text: str, hint: str, expected: str
) -> None:
    assert detect_language(text, hint) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("marhaba, ana b7aje la mosa3ade bel jobcenter", "ar"),
        ("kasi mitune ba man be doktor biad? almani balad nistam", "fa"),
        ("Zdravstvuyte, mne nuzhna pomoshch s perevodom v Jobcenter", "ru"),
        ("Duzhe dyakuyu, chekayu na vidpovid", "uk"),
    ],
)
def test_transliterated_text_keeps_the_writers_language_when_the_writer_uses_another_script(
    text: str, hint: str
) -> None:
    assert detect_language(text, hint) == hint


@pytest.mark.parametrize("hint", ["ar", "fa", "ru", "uk"])
def test_clear_german_is_german_when_the_writer_uses_another_script(hint: str) -> None:
    text = "Ich brauche Hilfe beim Ausfüllen des Antrags für das Jobcenter."
    assert detect_language(text, hint) == "de"


def test_clear_english_is_english_when_the_writer_is_arabic() -> None:
    assert detect_language("Can someone come with me to the doctor on Monday?", "ar") == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ich suche einen Deutschkurs am Abend", "de"),
        ("I need help filling out a form for school", "en"),
        ("Yeni eve taşındık, yatak ve dolap arıyoruz", "tr"),
        ("Нужна тёплая одежда для детей", "ru"),
        ("أحتاج مساعدة في تعبئة استمارة مكتب العمل", "ar"),
    ],
)
def test_language_is_detected_when_there_is_no_hint(text: str, expected: str) -> None:
    assert detect_language(text, None) == expected


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("", "fa", "fa"),
        ("", None, "de"),
        ("123 !!! 👋", "uk", "uk"),
        ("   ", "xx", "de"),
    ],
)
def test_hint_or_german_when_the_text_has_no_letters(
    text: str, hint: str | None, expected: str
) -> None:
    assert detect_language(text, hint) == expected


def test_warm_up_loads_the_models_of_every_script_and_of_transliterated_text() -> None:
    language.warm_up()
    # The three scripts' pairs and the set of all Latin-script languages: nothing left to load.
    assert language._detector.cache_info().currsize == 4
    assert detect_language("mne nuzhna pomosh s dokumentami", "ru") == "ru"
