"""Telegram's own surfaces, published at start-up: the command menu and the descriptions in every
language that has a catalog (and once without a language, for everybody else, in the default
locale), and the coordinators' menu in each coordinator's own chat."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import SetMyCommands, SetMyDescription, SetMyShortDescription
from aiogram.utils.i18n import I18n

from handlers.views.menus import (
    coordinator_menus,
    description,
    everyone_commands,
    menu_languages,
    short_description,
)

log = logging.getLogger(__name__)

Surface = SetMyCommands | SetMyDescription | SetMyShortDescription


def surfaces(i18n: I18n, coordinators: Sequence[int]) -> list[Surface]:
    """Every call, in order: per language, then the default (language_code None)."""
    calls: list[Surface] = []
    for language in menu_languages(i18n):
        with i18n.context(), i18n.use_locale(language or i18n.default_locale):
            calls.append(SetMyCommands(commands=everyone_commands(), language_code=language))
            calls.append(SetMyDescription(description=description(), language_code=language))
            calls.append(
                SetMyShortDescription(short_description=short_description(), language_code=language)
            )
    for chat_id in coordinators:
        calls.extend(coordinator_menus(i18n, chat_id))
    return calls


async def publish_surfaces(bot: Bot, i18n: I18n, coordinators: Sequence[int]) -> None:
    """Outside any transaction; a call Telegram refuses is logged and skipped: the bot works
    without its menu (a coordinator who never opened the bot has no chat yet, for one)."""
    failed = 0
    for call in surfaces(i18n, coordinators):
        try:
            await bot(call)
        except TelegramAPIError as exc:
            failed += 1
            scope = getattr(call, "scope", None)
            log.warning(
                "%s (language %s, chat %s) failed: %s",
                type(call).__name__,
                call.language_code or "default",
                getattr(scope, "chat_id", "-"),
                type(exc).__name__,
            )
    log.info("menus and descriptions published, %d call(s) failed", failed)
