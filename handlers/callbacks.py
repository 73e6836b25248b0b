"""Callback data of every inline button. Prefixes are short: Telegram allows 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    action: str  # seek | help | lang


class PickCb(CallbackData, prefix="p"):
    """A single choice in a form: field is skill, district, when, day, consent, confirm."""

    field: str
    value: str


class ToggleCb(CallbackData, prefix="t"):
    """A multi-select: field is skills, districts, languages; value "" means done."""

    field: str
    value: str


class NavCb(CallbackData, prefix="n"):
    action: str  # back | cancel


class OfferCb(CallbackData, prefix="o"):
    action: str  # accept | decline
    offer_id: int


class TaskCb(CallbackData, prefix="k"):
    action: str  # done | release | release_sure | keep
    request_id: int


class MyReqCb(CallbackData, prefix="r"):
    action: str  # cancel | cancel_sure | keep
    request_id: int


class ApproveCb(CallbackData, prefix="a"):
    action: str  # approve | reject
    volunteer_id: int


class LangCb(CallbackData, prefix="l"):
    code: str


class PauseCb(CallbackData, prefix="z"):
    days: int  # 0: until /resume


class QuietCb(CallbackData, prefix="q"):
    start: int  # minutes after midnight; -1 clears
    end: int


class ProfileCb(CallbackData, prefix="f"):
    action: str  # edit | pause | quiet | resume


class EscCb(CallbackData, prefix="e"):
    """A coordinator's answer to an escalation notice."""

    action: str  # assign | extend | close | pick | reason | back
    request_id: int
    value: int = 0  # the picked volunteer, or the close reason's index


class LotseCb(CallbackData, prefix="cl"):
    """A coordinator marks a volunteer as Lotse on their card, or unmarks them."""

    action: str  # set | unset
    volunteer_id: int
