"""The seeker's form where it is typed: the description; and text sent where a button is due."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from handlers.seeker.form import ask, asking
from handlers.seeker.steps import CONSENT, STEPS, step_named
from handlers.states import NOT_A_COMMAND, Intake
from handlers.views.direction import number
from matching.areas import Areas
from matching.language import detect_language
from matching.text import clean, has_visible_letters
from services.clock import Clock
from services.rules import Rules

MIN_DESCRIPTION = 10
MIN_LETTERS = 5  # letters or digits: twenty zero-width spaces are not a description
SPLIT_SECONDS = 2  # the parts of a split long text arrive within this time of each other


def _refusal(text: str) -> str | None:
    """Why a description of acceptable length cannot be taken, or None."""
    if len(text) < MIN_DESCRIPTION:
        return _("Please write a little more. Then a volunteer can understand you.")
    if not has_visible_letters(text, MIN_LETTERS):
        return _("Please describe in words what you need. We found almost no letters.")
    return None


async def got_description(
    message: Message,
    state: FSMContext,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
    description_limit: int,
    own_language: str | None = None,
) -> None:
    a = asking(areas, rules, clock, i18n, description_limit)
    text = clean(message.text or "").strip()
    tail = _continues_too_long(message, await state.get_data())
    if tail or len(text) > a.limit:
        await _remember_too_long(message, state)
        await message.answer(_too_long(len(text), a.limit, tail=tail))
        return
    if (refused := _refusal(text)) is not None:
        await message.answer(refused)
        return
    language = detect_language(text, own_language)
    await state.update_data(description=text, language=language, too_long=None)
    await ask(message, state, CONSENT, a)


def _too_long(n: int, limit: int, *, tail: bool) -> str:
    if tail:
        return ngettext(
            "Your text was too long. So Telegram sent it in parts. Please send one message "
            "with at most {limit} character.",
            "Your text was too long. So Telegram sent it in parts. Please send one message "
            "with at most {limit} characters.",
            limit,
        ).format(limit=number(limit))
    return ngettext(
        "That is {n} character. Please shorten it to at most {limit} characters.",
        "That is {n} characters. Please shorten it to at most {limit} characters.",
        n,
    ).format(n=number(n), limit=number(limit))


async def _remember_too_long(message: Message, state: FSMContext) -> None:
    await state.update_data(too_long=[message.message_id, int(message.date.timestamp())])


def _continues_too_long(message: Message, data: dict[str, Any]) -> bool:
    """Telegram splits a text over 4096 characters into messages sent one right after the other:
    a text that directly follows a refused long one is its tail, not a new description."""
    marker = data.get("too_long")
    if not marker:
        return False
    message_id, at = int(marker[0]), int(marker[1])
    return message.message_id > message_id and 0 <= message.date.timestamp() - at <= SPLIT_SECONDS


async def got_description_not_text(message: Message) -> None:
    await message.answer(
        _("Please describe what you need in words. We cannot pass on photos or files.")
    )


async def got_text_instead_of_button(
    message: Message,
    state: FSMContext,
    raw_state: str | None,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
    description_limit: int,
) -> None:
    await message.answer(_("Please choose one of the buttons."))
    step = step_named(raw_state)
    if step is not None:
        await ask(message, state, step, asking(areas, rules, clock, i18n, description_limit))


def router() -> Router:
    r = Router(name="seeker.description")
    r.message.register(got_description, Intake.description, F.text, NOT_A_COMMAND)
    r.message.register(got_description_not_text, Intake.description, NOT_A_COMMAND)
    buttons_due = [s.state for s in STEPS if s.field is not None]
    r.message.register(got_text_instead_of_button, StateFilter(*buttons_due), NOT_A_COMMAND)
    return r
