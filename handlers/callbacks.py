"""Callback data of every inline button. Prefixes are short: Telegram allows 64 bytes.

Anybody can send any callback data (a modified client forges button presses), so every number is
range-checked here and every action is one of a fixed few: anything else fails the filter, and the
fallback router answers that the button is no longer valid (instead of an overflow error in the
database driver, or an unknown action taken for a known one).
"""

from __future__ import annotations

from typing import Annotated, Literal

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Our own rows have INTEGER keys: 32 bits on PostgreSQL.
RowId = Annotated[int, Field(ge=0, lt=2**31)]
# Telegram user ids have at most 52 significant bits (Bot API, "User").
UserId = Annotated[int, Field(gt=0, lt=2**52)]


class MenuCb(CallbackData, prefix="m"):
    action: Literal["seek", "help", "lang"]


class PickCb(CallbackData, prefix="p"):
    """A single choice in a form: field is skill, district, when, day, consent, confirm."""

    field: str
    value: str


class ToggleCb(CallbackData, prefix="t"):
    """A multi-select: field is skills, districts, languages; value "" means done."""

    field: str
    value: str


class NavCb(CallbackData, prefix="n"):
    action: Literal["back", "cancel"]


class OfferCb(CallbackData, prefix="o"):
    action: Literal["accept", "decline"]
    offer_id: RowId


class TaskCb(CallbackData, prefix="k"):
    action: Literal["done", "release", "release_sure", "keep"]
    request_id: RowId


class MyReqCb(CallbackData, prefix="r"):
    action: Literal["cancel", "cancel_sure", "keep"]
    request_id: RowId


class ApproveCb(CallbackData, prefix="a"):
    action: Literal["approve", "reject"]
    volunteer_id: UserId


class LangCb(CallbackData, prefix="l"):
    code: str


class PauseCb(CallbackData, prefix="z"):
    days: Annotated[int, Field(ge=0, le=366)]  # 0: until /resume


class QuietCb(CallbackData, prefix="q"):
    start: Annotated[int, Field(ge=-1, lt=24 * 60)]  # minutes after midnight; -1 clears
    end: Annotated[int, Field(ge=-1, lt=24 * 60)]


class ProfileCb(CallbackData, prefix="f"):
    action: Literal["pause", "quiet", "resume"]


class EscCb(CallbackData, prefix="e"):
    """A coordinator's answer to an escalation notice."""

    action: Literal["assign", "extend", "close", "pick", "reason", "back"]
    request_id: RowId
    value: Annotated[int, Field(ge=0, lt=2**52)] = 0  # a volunteer's id, or a close reason's index


class LotseCb(CallbackData, prefix="cl"):
    """A coordinator marks a volunteer as Lotse on their card, or unmarks them."""

    action: Literal["set", "unset"]
    volunteer_id: UserId
