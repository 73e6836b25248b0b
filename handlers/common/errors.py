"""What a person hears when their update failed: everything was rolled back (bot/middlewares.py
UnitOfWork), so nothing was saved, and they are told so in one line in their language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.utils.i18n import gettext as _


def failure_calls(update: Update) -> Sequence[TelegramMethod[Any]]:
    text = _("Sorry, something went wrong on our side. Nothing was saved. Please try again.")
    if update.callback_query is not None:
        return [update.callback_query.answer(text, show_alert=True)]
    if update.message is not None:
        return [update.message.answer(text)]
    return []


def slow_down_text() -> str:
    return _("You are sending messages very fast. Please wait a moment. Then try again.")
