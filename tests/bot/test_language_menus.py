"""Telegram's own surfaces at start-up: menus and descriptions per language, the coordinators'
menu in their own chats; a refused call is logged and does not stop the others."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    SetMyCommands,
    SetMyDescription,
    SetMyShortDescription,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import BotCommandScopeChat
from aiogram.utils.i18n import I18n

from bot.config import DEFAULT_LOCALES_DIR
from bot.menus import publish_surfaces
from tests.bot.harness import RecordingSession, make_bot

COORDINATORS = (900_001, 900_002)


class RefusingSession(RecordingSession):
    """Telegram refuses the commands for one coordinator: they never opened the bot."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        scope = getattr(method, "scope", None)
        if isinstance(scope, BotCommandScopeChat) and scope.chat_id == COORDINATORS[1]:
            self.calls.append(method)
            raise TelegramBadRequest(method, "Bad Request: chat not found")
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def i18n() -> I18n:
    return I18n(path=DEFAULT_LOCALES_DIR, default_locale="de")


async def published(i18n: I18n, transport: RecordingSession) -> list[TelegramMethod[Any]]:
    bot = make_bot(transport)
    await publish_surfaces(bot, i18n, COORDINATORS)
    return transport.calls


def commands(calls: list[TelegramMethod[Any]]) -> dict[tuple[str | None, int | None], Any]:
    """(language, coordinator chat or None) -> that menu's commands."""
    return {
        (c.language_code, getattr(c.scope, "chat_id", None)): c.commands
        for c in calls
        if isinstance(c, SetMyCommands)
    }


async def test_menus_are_published_per_language_when_the_bot_starts(i18n: I18n) -> None:
    calls = await published(i18n, RecordingSession())
    menus = commands(calls)
    languages = sorted(i18n.available_locales)
    expected = {(lang, chat) for lang in [*languages, None] for chat in (None, *COORDINATORS)}
    assert set(menus) == expected
    assert [c.command for c in menus[("de", None)]] == [
        "start",
        "myrequests",
        "next",
        "language",
        "help",
        "cancel",
        "privacy",
        "mydata",
        "forget",
    ]
    german, english = menus[("de", None)], menus[("en", None)]
    assert german[0].description != english[0].description
    assert menus[(None, None)] == german  # the default speaks the default locale


async def test_coordinators_get_their_commands_in_their_own_chats_when_the_bot_starts(
    i18n: I18n,
) -> None:
    menus = commands(await published(i18n, RecordingSession()))
    everyone = {c.command for c in menus[("en", None)]}
    theirs = {c.command for c in menus[("en", COORDINATORS[0])]}
    assert {"pending", "open", "request", "escalate", "assign", "lotse", "unlotse"} <= theirs
    assert everyone < theirs and not {"pending", "assign"} & everyone


async def test_descriptions_are_published_in_each_language_when_the_bot_starts(
    i18n: I18n,
) -> None:
    calls = await published(i18n, RecordingSession())
    long = {c.language_code: c.description for c in calls if isinstance(c, SetMyDescription)}
    short = {
        c.language_code: c.short_description for c in calls if isinstance(c, SetMyShortDescription)
    }
    assert set(long) == set(short) == {*i18n.available_locales, None}
    assert long["de"] != long["en"] and long[None] == long["de"]
    assert all(0 < len(text or "") <= 120 for text in short.values())
    assert all(0 < len(text or "") <= 512 for text in long.values())


async def test_a_refused_call_is_logged_and_the_rest_published_when_a_chat_is_missing(
    i18n: I18n, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.menus"):
        calls = await published(i18n, RefusingSession())
    assert {key for key in commands(calls) if key[1] is None} == {
        (lang, None) for lang in [*i18n.available_locales, None]
    }
    refused = [r.getMessage() for r in caplog.records]
    assert len(refused) == len(i18n.available_locales) + 1
    assert all(f"chat {COORDINATORS[1]}" in line for line in refused)
