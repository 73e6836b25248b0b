"""The seeker's intake and the volunteer's sign-up, walked in each of the seven languages: every
reply is that language's catalog text (no German in a Ukrainian walk, no English in a German
one), and a first contact in a language Lotse does not speak gets the language picker."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from babel.messages.pofile import read_po

from handlers.callbacks import MenuCb, PickCb, ToggleCb
from matching.locales import CODES, OWN_NAMES
from tests.bot.harness import Harness, texts

LOCALES = Path(__file__).resolve().parents[2] / "locales"
PLACEHOLDER = re.compile(r"\{[^}]*\}|<[^>]+>|\n|/[a-z_]+")
LETTERS = re.compile(r"\w{3}")
# Of the other language's sentences, only pieces of several words and this long count as "the
# other language": shorter ones ("OK", an emoji and a word) and single words (a place name such
# as "Rodenkirchen", which other scripts quote beside their own spelling) may read the same.
FOREIGN_MIN = 12

# What a seeker would write, in their own language.
DESCRIPTIONS = {
    "de": "Ich brauche Hilfe beim Aufbau von einem Schrank und zwei Betten.",
    "en": "I need help to build a wardrobe and two beds for my children.",
    "uk": "Мені потрібна допомога, щоб зібрати шафу і два ліжка для дітей.",
    "ru": "Мне нужна помощь, чтобы собрать шкаф и две кровати для детей.",
    "ar": "أحتاج إلى مساعدة في تركيب خزانة وسريرين لأطفالي من فضلك.",
    "fa": "برای سوار کردن یک کمد و دو تخت برای بچه‌هایم کمک لازم دارم.",
    "tr": "Çocuklarım için bir dolap ve iki yatak kurmak için yardıma ihtiyacım var.",
}


@cache
def fragments(language: str) -> frozenset[str]:
    """The literal pieces of the language's translations, without placeholders and markup."""
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    pieces: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else message.string or ()
        for string in strings:
            for piece in PLACEHOLDER.split(string or ""):
                piece = piece.strip(" .,:!?()")
                if LETTERS.search(piece):
                    pieces.add(piece)
    return frozenset(pieces)


def foreign(language: str) -> frozenset[str]:
    """Long pieces of the fallback (German; English for a German walk) that this language's
    catalog does not share."""
    other = "en" if language == "de" else "de"
    pieces = fragments(other) - fragments(language)
    return frozenset(p for p in pieces if len(p) >= FOREIGN_MIN and " " in p)


def shown(calls: list[TelegramMethod[Any]]) -> list[str]:
    """Texts, alerts and button labels the person saw."""
    labels = [
        button.text
        for call in calls
        if isinstance(call, SendMessage | EditMessageText) and call.reply_markup is not None
        for row in getattr(call.reply_markup, "inline_keyboard", [])
        for button in row
    ]
    return texts(calls) + labels


def assert_in_language(language: str, calls: list[TelegramMethod[Any]]) -> None:
    own, other = fragments(language), foreign(language)
    for text in texts(calls):
        assert any(piece in text for piece in own), f"not {language} catalog text: {text!r}"
    for text in shown(calls):
        wrong = [piece for piece in other if piece in text]
        assert not wrong, f"{language} walk shows {wrong!r} in {text!r}"


@pytest.mark.parametrize("language", CODES)
async def test_seeker_reads_only_their_language_when_walking_the_intake(
    harness: Harness, language: str
) -> None:
    seeker, code = 9100 + CODES.index(language), f"{language}-XX"
    calls = await harness.send(seeker, "/start", language_code=code)
    for data in (
        MenuCb(action="seek").pack(),
        PickCb(field="skill", value="furniture").pack(),
        PickCb(field="district", value="ehrenfeld").pack(),
        PickCb(field="when", value="week").pack(),
    ):
        calls += await harness.press(seeker, data, language_code=code)
    calls += await harness.send(seeker, DESCRIPTIONS[language], language_code=code)
    for data in (
        PickCb(field="consent", value="yes").pack(),
        PickCb(field="confirm", value="send").pack(),
    ):
        calls += await harness.press(seeker, data, language_code=code)
    assert len(texts(calls)) >= 8
    assert_in_language(language, calls)


@pytest.mark.parametrize("language", CODES)
async def test_volunteer_reads_only_their_language_when_signing_up(
    harness: Harness, language: str
) -> None:
    volunteer, code = 9200 + CODES.index(language), f"{language}-XX"
    calls = await harness.send(volunteer, "/start", language_code=code)
    calls += await harness.press(volunteer, MenuCb(action="help").pack(), language_code=code)
    for field, value in (("skills", "furniture"), ("districts", "ehrenfeld"), ("languages", "de")):
        calls += await harness.press(
            volunteer, ToggleCb(field=field, value=value).pack(), language_code=code
        )
        calls += await harness.press(
            volunteer, ToggleCb(field=field, value="").pack(), language_code=code
        )
    assert len(texts(calls)) >= 6
    assert_in_language(language, calls)


async def test_first_contact_gets_the_picker_when_lotse_does_not_speak_the_language(
    harness: Harness,
) -> None:
    calls = await harness.send(9300, "/start", language_code="pl")
    labels = {label for text in shown(calls) for label in OWN_NAMES.values() if label in text}
    assert labels == set(OWN_NAMES.values())
