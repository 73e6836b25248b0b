"""Which language a person gets, and the picker, through the real dispatcher."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DEFAULT_LOCALES_DIR, Settings
from db.models import User
from handlers.callbacks import LangCb, MenuAction, MenuCb
from handlers.keyboards import LANGUAGE_BUTTON
from services.clock import FrozenClock
from services.rules import Rules
from tests.bot.conftest import build_harness
from tests.bot.harness import Harness, RecordingSession, buttons, texts

PERSON = 701
SEEK = MenuCb(action=MenuAction.SEEK).pack()


def locales_with(tmp_path: Path, *codes: str, copy_of: str = "en") -> Path:
    """A locales folder with the de and en catalogs and, for each of `codes`, a copy of
    `copy_of`'s: a catalog that has just landed."""
    root = tmp_path / "locales"
    for code in ("de", "en"):
        shutil.copytree(DEFAULT_LOCALES_DIR / code, root / code)
    for code in codes:
        shutil.copytree(DEFAULT_LOCALES_DIR / copy_of, root / code)
    return root


@pytest.fixture
async def two_languages(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
    tmp_path: Path,
) -> AsyncIterator[Harness]:
    """Only de and en have catalogs, whatever else lands in locales/ meanwhile."""
    only = settings.model_copy(update={"locales_dir": locales_with(tmp_path)})
    harness = build_harness(only, sessions, clock, rules, RecordingSession())
    yield harness
    await harness.bot.session.close()


def greeted(calls: list[TelegramMethod[Any]]) -> bool:
    """The /start greeting: the message whose keyboard begins a request."""
    return any(data == SEEK for _text, data in buttons(calls))


async def stored_locale(sessions: async_sessionmaker[AsyncSession]) -> str | None:
    async with sessions() as session:
        user = await session.get(User, PERSON)
        assert user is not None
        return user.locale


async def test_picker_comes_first_when_telegrams_language_has_no_catalog(
    two_languages: Harness,
) -> None:
    calls = await two_languages.send(PERSON, "/start", language_code="uk-UA")
    assert not greeted(calls)
    assert buttons(calls) == [("Deutsch", "l:de"), ("English", "l:en")]
    (text,) = texts(calls)
    assert text.splitlines() == ["🌐", "Wählen Sie Ihre Sprache:", "Choose your language:"]


async def test_picker_comes_first_when_telegram_sends_no_language(
    two_languages: Harness,
) -> None:
    calls = await two_languages.send(PERSON, "hello", language_code="")
    assert not greeted(calls)
    assert [data for _text, data in buttons(calls)] == ["l:de", "l:en"]


async def test_german_greeting_when_language_code_is_de_with_a_region(harness: Harness) -> None:
    calls = await harness.send(PERSON, "/start", language_code="de-DE")
    assert greeted(calls)
    assert texts(calls)[0].startswith("Hallo")


async def test_english_greeting_when_language_code_has_an_underscore_region(
    harness: Harness,
) -> None:
    calls = await harness.send(PERSON, "/start", language_code="en_GB")
    assert greeted(calls) and texts(calls)[0].startswith("Hello")


async def test_picking_stores_the_language_and_greets_in_it_when_chosen_on_first_contact(
    two_languages: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await two_languages.send(PERSON, "/start", language_code="uk-UA")
    calls = await two_languages.press(PERSON, LangCb(code="en").pack(), language_code="uk-UA")
    assert await stored_locale(sessions) == "en"
    edited = [c.text for c in calls if isinstance(c, EditMessageText)]
    assert edited == [f"{LANGUAGE_BUTTON} ✓ English"]
    sent = [c for c in calls if isinstance(c, SendMessage)]
    assert len(sent) == 1 and sent[0].text.startswith("Hello") and greeted(calls)


async def test_stored_choice_beats_language_code_when_telegrams_language_has_a_catalog(
    harness: Harness,
) -> None:
    await harness.press(PERSON, LangCb(code="en").pack(), language_code="de-DE")
    calls = await harness.send(PERSON, "/start", language_code="de-DE")
    assert greeted(calls) and texts(calls)[0].startswith("Hello")


async def test_stored_choice_rules_when_language_code_is_unsupported(
    two_languages: Harness,
) -> None:
    await two_languages.press(PERSON, LangCb(code="de").pack(), language_code="fa-IR")
    calls = await two_languages.send(PERSON, "/start", language_code="fa-IR")
    assert greeted(calls) and texts(calls)[0].startswith("Hallo")


async def test_language_command_marks_the_current_language_when_one_is_known(
    harness: Harness,
) -> None:
    calls = await harness.send(PERSON, "/language", language_code="de-AT")
    assert texts(calls) == ["Wählen Sie Ihre Sprache:"]
    assert buttons(calls)[:2] == [("✓ Deutsch", "l:de"), ("English", "l:en")]


async def test_language_button_reads_the_same_when_the_language_differs(
    harness: Harness,
) -> None:
    german = buttons(await harness.send(PERSON, "/start", language_code="de"))
    english = buttons(await harness.send(PERSON + 1, "/start", language_code="en"))
    menu = MenuCb(action=MenuAction.LANG).pack()
    assert (LANGUAGE_BUTTON, menu) in german and (LANGUAGE_BUTTON, menu) in english
    calls = await harness.press(PERSON, menu, language_code="de")
    assert ("✓ Deutsch", "l:de") in buttons(calls)


async def test_new_catalog_is_offered_in_the_fixed_order_when_it_lands(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
    tmp_path: Path,
) -> None:
    landed = settings.model_copy(update={"locales_dir": locales_with(tmp_path, "tr", "uk")})
    h = build_harness(landed, sessions, clock, rules, RecordingSession())
    try:
        calls = await h.send(PERSON, "/start", language_code="pt-BR")
        assert [text for text, _data in buttons(calls)] == [
            "Deutsch",
            "English",
            "Українська",
            "Türkçe",
        ]
        # A language_code whose catalog has landed is used at once, without the picker.
        assert greeted(await h.send(PERSON + 1, "/start", language_code="uk-UA"))
    finally:
        await h.bot.session.close()


async def test_no_second_greeting_when_the_same_language_is_picked_again(
    harness: Harness,
) -> None:
    first = await harness.press(PERSON, LangCb(code="de").pack(), language_code="en")
    again = await harness.press(PERSON, LangCb(code="de").pack(), language_code="en")
    assert greeted(first) and not greeted(again)
    assert [c.text for c in again if isinstance(c, EditMessageText)] == [
        f"{LANGUAGE_BUTTON} ✓ Deutsch"
    ]
