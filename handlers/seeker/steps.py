"""The seeker's form as a table of steps: topic, district, time, day, description, consent,
confirmation. Each step names its state, the button field that answers it, and its question."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from handlers.callbacks import FormField
from handlers.keyboards import choices, markup, nav_row
from handlers.states import Intake
from handlers.views.direction import number
from handlers.views.labels import district_label, label, skill_label
from handlers.views.requests import request_summary
from handlers.views.time import day_label
from matching.areas import Areas
from matching.locales import CODES, own_name
from matching.status import WhenKind

Question = tuple[str, InlineKeyboardMarkup]


class Consent(StrEnum):
    YES = "yes"
    NO = "no"


SEND = "send"  # the confirmation's buttons: send the request,
CHANGE_LANGUAGE = "language"  # or correct the language we read the description in


@dataclass(frozen=True)
class Asking:
    """What a question needs to be asked."""

    areas: Areas
    data: dict[str, Any]
    today: date
    limit: int
    locale: str


@dataclass(frozen=True)
class Step:
    state: State
    field: FormField | None  # the buttons' field; None: answered by typing
    ask: Callable[[Asking], Question]
    only_for_a_date: bool = False  # asked only when the seeker chose to pick a date

    @property
    def name(self) -> str:
        assert self.state.state is not None
        return self.state.state


def _ask_skill(a: Asking) -> Question:
    text = _(
        "<b>How volunteers can help</b>\n"
        "Volunteers go with you, for example to an office or a school meeting. They help with "
        "furniture, practise German with you or interpret. They help for free. It is not a "
        "service. They do not fill in forms for you. They do not find you a flat. They do not "
        "give legal advice.\n\n"
        "What do you need help with?"
    )
    options = [(k, skill_label(a.areas, k)) for k in a.areas.skills]
    return text, choices(FormField.SKILL, options)


def _ask_district(a: Asking) -> Question:
    options = [(k, district_label(a.areas, k)) for k in a.areas.districts]
    return _("In which district do you need help?"), choices(FormField.DISTRICT, options, width=3)


def _ask_when(a: Asking) -> Question:
    options = [(kind.value, label(kind)) for kind in WhenKind]
    return _("When do you need help?"), choices(FormField.WHEN, options)


def _ask_day(a: Asking) -> Question:
    days = [a.today + timedelta(days=n) for n in range(1, 15)]
    options = [(d.isoformat(), day_label(d, a.locale)) for d in days]
    return _("Which day?"), choices(FormField.DAY, options)


def _ask_description(a: Asking) -> Question:
    text = ngettext(
        "Please describe in a few sentences what you need. You can write in your own language. "
        "Use at most {limit} character. Please do not write about your health here.",
        "Please describe in a few sentences what you need. You can write in your own language. "
        "Use at most {limit} characters. Please do not write about your health here.",
        a.limit,
    ).format(limit=number(a.limit))
    return text, markup([nav_row()])


def _ask_consent(a: Asking) -> Question:
    text = _(
        "When a volunteer takes your request, we introduce you to each other. Then you can "
        "plan the details together. May the volunteer write to you on Telegram?"
    )
    options = [(Consent.YES.value, _("Yes, they may write to me")), (Consent.NO.value, _("No"))]
    return text, choices(FormField.CONSENT, options, width=1)


def _ask_confirm(a: Asking) -> Question:
    draft = {
        "skill": a.data["skill"],
        "district": a.data["district"],
        "when_kind": a.data["when"],
        "when_date": a.data.get("day"),
        "description": a.data["description"],
        "language": a.data["language"],
    }
    text = _("<b>Please check your request</b>") + "\n\n"
    text += request_summary(a.areas, draft, a.locale)
    options = [
        (SEND, "📨 " + _("Send request")),
        (CHANGE_LANGUAGE, "🗣 " + _("Change the language of my text")),
    ]
    return text, choices(FormField.CONFIRM, options, width=1)


def ask_language(a: Asking) -> Question:
    """The confirmation's second screen: the seven languages, each in its own name (the
    writer finds theirs in its own script); the one we detected is marked."""
    current = a.data.get("language")
    options = [(code, ("✓ " if code == current else "") + own_name(code)) for code in CODES]
    return _("In which language did you write your request?"), choices(FormField.CONFIRM, options)


STEPS: tuple[Step, ...] = (
    Step(Intake.skill, FormField.SKILL, _ask_skill),
    Step(Intake.district, FormField.DISTRICT, _ask_district),
    Step(Intake.when, FormField.WHEN, _ask_when),
    Step(Intake.day, FormField.DAY, _ask_day, only_for_a_date=True),
    Step(Intake.description, None, _ask_description),
    Step(Intake.consent, FormField.CONSENT, _ask_consent),
    Step(Intake.confirm, FormField.CONFIRM, _ask_confirm),
)
FIRST = STEPS[0]
CONSENT = next(s for s in STEPS if s.field is FormField.CONSENT)
CONFIRM = STEPS[-1]


def step_named(name: str | None) -> Step | None:
    return next((s for s in STEPS if s.name == name), None)


def _asked(step: Step, data: dict[str, Any]) -> bool:
    return not step.only_for_a_date or data.get("when") == WhenKind.DATE.value


def next_after(step: Step, data: dict[str, Any]) -> Step:
    later = STEPS[STEPS.index(step) + 1 :]
    return next(s for s in later if _asked(s, data))


def previous(step: Step, data: dict[str, Any]) -> Step | None:
    earlier = reversed(STEPS[: STEPS.index(step)])
    return next((s for s in earlier if _asked(s, data)), None)


def valid_pick(field: FormField, value: str, areas: Areas, today: date) -> bool:
    if field is FormField.SKILL:
        return value in areas.skills
    if field is FormField.DISTRICT:
        return value in areas.districts
    if field is FormField.WHEN:
        return value in {k.value for k in WhenKind}
    if field is FormField.DAY:
        try:
            return today < date.fromisoformat(value) <= today + timedelta(days=60)
        except ValueError:
            return False
    if field is FormField.CONSENT:
        return value in {c.value for c in Consent}
    return value in (SEND, CHANGE_LANGUAGE) or value in CODES
