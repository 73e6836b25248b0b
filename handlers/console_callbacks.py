"""Callback data of the coordinators' console buttons about volunteers: the filters of
/volunteers and /broadcast, a volunteer's card, a broadcast. The rules of handlers/callbacks.py
hold here too: short prefixes (64 bytes), every number range-checked, every action one of a few."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from handlers.callbacks import UserId
from matching.status import Standing
from services.volunteer_queries import VolunteerFilter


class FilterPurpose(StrEnum):
    """What a coordinator filters volunteers for."""

    LIST = "l"  # /volunteers
    BROADCAST = "b"  # /broadcast


class FilterView(StrEnum):
    SUMMARY = "s"  # the filters as buttons, and how many volunteers they pick
    SKILL = "k"  # choose one (or any)
    DISTRICT = "d"
    LANGUAGE = "g"
    STANDING = "t"
    GO = "go"  # the purpose's next step: the list's page, or the broadcast's message


# A district, skill or language key (bot/areas_koeln.toml, matching/locales.py); "" is any.
Key = Annotated[str, Field(max_length=16, pattern=r"^[a-z0-9_]*$")]


class VolunteerFilterCb(CallbackData, prefix="vf"):
    """A filter button of /volunteers or /broadcast: it carries the whole filter it leads to,
    so the buttons work without any state kept between taps (also after a restart)."""

    purpose: FilterPurpose
    view: FilterView
    skill: Key = ""
    district: Key = ""
    language: Key = ""
    standing: Standing = Standing.APPROVED
    page: Annotated[int, Field(ge=0, lt=10_000)] = 0

    @classmethod
    def of(
        cls, purpose: FilterPurpose, view: FilterView, f: VolunteerFilter, page: int = 0
    ) -> VolunteerFilterCb:
        return cls(
            purpose=purpose,
            view=view,
            skill=f.skill or "",
            district=f.district or "",
            language=f.language or "",
            standing=f.standing,
            page=page,
        )

    def chosen(self) -> VolunteerFilter:
        return VolunteerFilter(
            skill=self.skill or None,
            district=self.district or None,
            language=self.language or None,
            standing=self.standing,
        )


class CardAction(StrEnum):
    """What a button on (or leading to) a volunteer's card does."""

    OPEN = "o"  # the card as a new message (from the list, which stays)
    SHOW = "s"  # the card in place (back from the ban question)
    APPROVE = "a"
    REJECT = "r"
    BAN = "b"  # asks first
    BAN_SURE = "y"
    UNBAN = "u"


class VolunteerCardCb(CallbackData, prefix="vc"):
    """A volunteer's card in the coordinators' console, and its actions."""

    action: CardAction
    volunteer_id: UserId


class BroadcastAction(StrEnum):
    SEND = "s"  # the preview's Send: the draft in the coordinator's form
    STOP = "x"  # the progress message's Stop: a broadcast under way


class BroadcastCb(CallbackData, prefix="bc"):
    """A broadcast's buttons: Send (of the draft in the form; no id) and Stop (of a running
    broadcast)."""

    action: BroadcastAction
    broadcast_id: Annotated[int, Field(ge=0, lt=2**31)] = 0
