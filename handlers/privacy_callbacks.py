"""Callback data of the privacy notice's buttons (the rules of handlers/callbacks.py hold)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field


class ConsentAction(StrEnum):
    AGREE = "y"
    DECLINE = "n"
    LANGUAGE = "l"  # the notice again, in another language (nothing is stored)


class ConsentCb(CallbackData, prefix="pv"):
    """An answer to the privacy notice; `lang`: the language it was shown in, if the person
    chose one on the notice ("" when it was their Telegram language)."""

    action: ConsentAction
    lang: Annotated[str, Field(max_length=8, pattern=r"^[a-z]{0,8}$")] = ""
