"""matching.text as tables of cases: what is kept, what goes, what counts as readable."""

from __future__ import annotations

import pytest

from matching.text import BIDI_CONTROLS, FSI, PDI, clean, has_visible_letters, isolate

ZWSP, ZWNJ, RLO = "\u200b", "\u200c", "\u202e"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Hilfe beim Umzug", "Hilfe beim Umzug"),
        ("a\x00b", "ab"),
        ("\x00" * 5, ""),
        ("line one\nline two\tend", "line one\nline two\tend"),
        ("windows\r\nline", "windows\nline"),
        ("bell\x07 escape\x1b[31m red", "bell escape[31m red"),
        ("del\x7f and c1\x85", "del and c1"),
        ("lone \ud800 surrogate \udfff", "lone  surrogate "),
        ("e\u0301 composed", "\u00e9 composed"),  # NFC
        ("Ko\u0308ln", "Köln"),
        (f"می{ZWNJ}خواهم", f"می{ZWNJ}خواهم"),  # Persian keeps its zero-width non-joiner
        (f"{RLO}name", f"{RLO}name"),  # direction marks are for isolate(), not for storage
        ("مرحبا 👋", "مرحبا 👋"),
        ("", ""),
    ],
)
def test_clean_keeps_readable_text_and_drops_controls_when_given(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_clean_leaves_nothing_postgresql_or_utf8_refuse_when_given_every_code_point() -> None:
    every = "".join(chr(c) for c in range(0x110000))
    result = clean(every)
    assert "\x00" not in result
    result.encode("utf-8")  # would raise on a lone surrogate
    assert "\n" in result and "\t" in result


@pytest.mark.parametrize(
    ("text", "minimum", "expected"),
    [
        ("Hilfe", 1, True),
        ("Hilfe", 5, True),
        ("Hilfe", 6, False),
        (ZWSP * 20, 1, False),
        (f"{ZWSP} {ZWNJ}\u2060\ufeff", 1, False),
        ("   \n\t  ", 1, False),
        ("?!.,;:-–— …", 1, False),
        ("👋🙏🏽❤️", 1, False),
        ("\u0301\u0308", 1, False),  # combining marks alone
        (RLO + "\u2066\u2069", 1, False),
        ("12345", 5, True),  # a phone or house number is readable
        ("مرحبا", 5, True),
        ("Привет", 6, True),
        ("你好", 2, True),
        ("٣", 1, True),  # Arabic-Indic digit
        (f"a{ZWSP}b{ZWSP}c", 3, True),
        ("", 1, False),
        ("", 0, True),
    ],
)
def test_has_visible_letters_counts_only_letters_and_digits_when_asked(
    text: str, minimum: int, expected: bool
) -> None:
    assert has_visible_letters(text, minimum) is expected


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Anna", "Anna"),
        (f"Ali{RLO}gnp.exe", "Alignp.exe"),
        ("\u202a\u202b\u202c\u202d\u202eX", "X"),
        ("\u2066\u2067\u2068\u2069Y", "Y"),
        ("\u200e\u200f\u061cZ", "Z"),
        ("محمد", "محمد"),
        (f"Leyla{ZWNJ}", f"Leyla{ZWNJ}"),  # not a direction control: stays
        ("", ""),
        ("K7M2QP", "K7M2QP"),
    ],
)
def test_isolate_wraps_and_drops_direction_controls_when_given_a_name(
    name: str, shown: str
) -> None:
    assert isolate(name) == f"{FSI}{shown}{PDI}"


def test_isolate_leaves_no_direction_control_inside_when_given_all_of_them() -> None:
    inner = isolate("".join(sorted(BIDI_CONTROLS)) + "x")[1:-1]
    assert inner == "x"
