"""A help seeker asks for help: topic, district, time, description, consent, confirmation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from handlers.callbacks import MenuCb, NavCb, PickCb
from handlers.keyboards import choices, markup, nav_row
from handlers.labels import district_label, format_day, skill_label
from handlers.states import NOT_A_COMMAND, Intake
from handlers.summary import request_summary
from matching.areas import Areas
from matching.language import detect_language
from matching.status import WhenKind
from matching.text import clean, has_visible_letters, isolate
from services.clock import Clock
from services.requests import (
    RequestDraft,
    SubmitOutcome,
    Submitted,
    count_open,
    sent_request,
    submit_request,
)
from services.rules import Rules

router = Router(name="seeker")
# Conversations happen in private chats; in a group (the coordinators') the bot stays quiet.
router.message.filter(F.chat.type == ChatType.PRIVATE)
Question = tuple[str, InlineKeyboardMarkup]


def _name(state: State) -> str:
    assert state.state is not None
    return state.state


ORDER = [
    _name(s)
    for s in (
        Intake.skill,
        Intake.district,
        Intake.when,
        Intake.day,
        Intake.description,
        Intake.consent,
        Intake.confirm,
    )
]
MIN_DESCRIPTION = 10
MIN_LETTERS = 5  # letters or digits: twenty zero-width spaces are not a description
SPLIT_SECONDS = 2  # the parts of a split long text arrive within this time of each other


def _ask_skill(ctx: dict[str, Any]) -> Question:
    areas: Areas = ctx["areas"]
    text = _(
        "<b>How volunteers can help</b>\n"
        "Volunteers accompany you, for example to an office or a school meeting, help with "
        "furniture, practise German or interpret. They help as volunteers, not as a service: "
        "they do not fill in applications for you, find you a flat or give legal advice.\n\n"
        "What do you need help with?"
    )
    options = [(k, skill_label(areas, k)) for k in areas.skills]
    return text, choices("skill", options)


def _ask_district(ctx: dict[str, Any]) -> Question:
    areas: Areas = ctx["areas"]
    options = [(k, district_label(areas, k)) for k in areas.districts]
    return _("In which district do you need help?"), choices("district", options, width=3)


def _ask_when(ctx: dict[str, Any]) -> Question:
    options = [
        (WhenKind.TODAY.value, _("Today")),
        (WhenKind.WEEK.value, _("This week")),
        (WhenKind.DATE.value, _("Pick a date")),
        (WhenKind.FLEXIBLE.value, _("Flexible")),
    ]
    return _("When do you need help?"), choices("when", options)


def _ask_day(ctx: dict[str, Any]) -> Question:
    today: date = ctx["today"]
    days = [today + timedelta(days=n) for n in range(1, 15)]
    options = [(d.isoformat(), format_day(d, ctx["locale"])) for d in days]
    return _("Which day?"), choices("day", options)


def _ask_description(ctx: dict[str, Any]) -> Question:
    text = _(
        "Please describe in a few sentences what you need, in your own language "
        "(at most {limit} characters). Please do not write health details here."
    ).format(limit=ctx["limit"])
    return text, markup([nav_row()])


def _ask_consent(ctx: dict[str, Any]) -> Question:
    text = _(
        "When a volunteer takes your request, we introduce you to each other so that you can "
        "arrange the details. May the volunteer write to you on Telegram?"
    )
    options = [("yes", _("Yes, they may write to me")), ("no", _("No"))]
    return text, choices("consent", options, width=1)


def _ask_confirm(ctx: dict[str, Any]) -> Question:
    data = ctx["data"]
    draft = {
        "skill": data["skill"],
        "district": data["district"],
        "when_kind": data["when"],
        "when_date": data.get("day"),
        "description": data["description"],
        "language": data["language"],
    }
    text = _("<b>Please check your request</b>") + "\n\n"
    text += request_summary(ctx["areas"], draft, ctx["locale"])
    return text, choices("confirm", [("send", "📨 " + _("Send request"))], width=1)


QUESTIONS: dict[str, Callable[[dict[str, Any]], Question]] = dict(
    zip(
        ORDER,
        [_ask_skill, _ask_district, _ask_when, _ask_day, _ask_description, _ask_consent],
        strict=False,
    )
)
QUESTIONS[ORDER[6]] = _ask_confirm


async def ask(
    target: Message | CallbackQuery,
    state: FSMContext,
    step: str,
    *,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    limit: int,
    locale: str,
) -> None:
    """Move the form to `step` and show its question: in place after a button, else anew."""
    await state.set_state(step)
    ctx = {
        "areas": areas,
        "data": await state.get_data(),
        "today": clock.now().astimezone(rules.tz).date(),
        "limit": limit,
        "locale": locale,
    }
    text, keyboard = QUESTIONS[step](ctx)
    if isinstance(target, CallbackQuery) and isinstance(target.message, Message):
        await target.message.edit_text(text, reply_markup=keyboard)
        await target.answer()
    else:
        message = target.message if isinstance(target, CallbackQuery) else target
        if isinstance(message, Message):
            await message.answer(text, reply_markup=keyboard)


@router.callback_query(MenuCb.filter(F.action == "seek"))
async def on_seek(query: CallbackQuery, state: FSMContext, **deps: Any) -> None:
    rules: Rules = deps["rules"]
    open_now = await count_open(deps["session"], seeker_id=query.from_user.id)
    if open_now >= rules.max_open_requests:
        await _too_many(query, open_now)
        return
    # One key per form: sending the same form twice (a double tap) makes one request.
    await state.set_data({"draft_key": uuid.uuid4().hex})
    await ask(query, state, ORDER[0], **_deps(deps))


async def _too_many(query: CallbackQuery, open_now: int) -> None:
    text = ngettext(
        "You already have {n} open request. That is as many as you can have at one time. "
        "/myrequests shows it; you can cancel it there.",
        "You already have {n} open requests. That is as many as you can have at one time. "
        "/myrequests shows them; you can cancel one there.",
        open_now,
    ).format(n=open_now)
    if isinstance(query.message, Message):
        await query.message.answer(text)
    await query.answer()


def _deps(deps: dict[str, Any]) -> dict[str, Any]:
    settings = deps["settings"]
    return {
        "areas": deps["areas"],
        "rules": deps["rules"],
        "clock": deps["clock"],
        "limit": settings.description_max_chars,
        "locale": deps["i18n"].current_locale,
    }


def _next_after(step: str, data: dict[str, Any]) -> str:
    nxt = ORDER[ORDER.index(step) + 1]
    if nxt == ORDER[3] and data.get("when") != WhenKind.DATE.value:
        nxt = ORDER[4]
    return nxt


def _previous(step: str, data: dict[str, Any]) -> str | None:
    index = ORDER.index(step)
    if index == 0:
        return None
    prev = ORDER[index - 1]
    if prev == ORDER[3] and data.get("when") != WhenKind.DATE.value:
        prev = ORDER[2]
    return prev


def _valid_pick(field: str, value: str, areas: Areas, today: date) -> bool:
    if field == "skill":
        return value in areas.skills
    if field == "district":
        return value in areas.districts
    if field == "when":
        return value in {k.value for k in WhenKind}
    if field == "day":
        try:
            return today < date.fromisoformat(value) <= today + timedelta(days=60)
        except ValueError:
            return False
    return field in ("consent", "confirm")


FIELD_OF_STATE = {
    ORDER[0]: "skill",
    ORDER[1]: "district",
    ORDER[2]: "when",
    ORDER[3]: "day",
    ORDER[5]: "consent",
    ORDER[6]: "confirm",
}


@router.callback_query(PickCb.filter())
async def on_pick(
    query: CallbackQuery,
    callback_data: PickCb,
    state: FSMContext,
    raw_state: str | None,
    **deps: Any,
) -> None:
    d = _deps(deps)
    today = d["clock"].now().astimezone(d["rules"].tz).date()
    field, value = callback_data.field, callback_data.value
    if field == "confirm" and "sent_draft" in await state.get_data():
        await _sent_before(query, state, deps)  # raw_state may be older than the data
        return
    if raw_state is None or FIELD_OF_STATE.get(raw_state) != field:
        await query.answer(_("This button belongs to an earlier step."), show_alert=True)
        return
    if not _valid_pick(field, value, d["areas"], today):
        await query.answer(_("This choice is not available."), show_alert=True)
        return
    if field == "consent" and value == "no":
        await query.answer(
            _("Without your consent we cannot introduce a volunteer to you."), show_alert=True
        )
        return
    if field == "confirm":
        await _submit(query, state, deps)
        return
    await state.update_data({field: value})
    await ask(query, state, _next_after(raw_state, await state.get_data()), **d)


async def _submit(query: CallbackQuery, state: FSMContext, deps: dict[str, Any]) -> None:
    data = await state.get_data()
    clock: Clock = deps["clock"]
    draft = RequestDraft(
        skill=data["skill"],
        district=data["district"],
        when_kind=WhenKind(data["when"]),
        when_date=date.fromisoformat(data["day"]) if data.get("day") else None,
        description=data["description"],
        language=data["language"],
        consent=True,
    )
    submitted = await submit_request(
        deps["session"],
        seeker_id=query.from_user.id,
        draft=draft,
        rules=deps["rules"],
        now=clock.now(),
        draft_key=data.get("draft_key"),
    )
    if submitted.outcome is SubmitOutcome.TOO_MANY:
        await state.clear()
        await _too_many(query, submitted.open_count)
        return
    await _confirm(query, state, submitted)


async def _sent_before(query: CallbackQuery, state: FSMContext, deps: dict[str, Any]) -> None:
    """Send pressed again after the form was sent (a double tap that came second)."""
    key = (await state.get_data())["sent_draft"]
    request = await sent_request(deps["session"], seeker_id=query.from_user.id, draft_key=key)
    if request is None:
        await query.answer(_("This button belongs to an earlier step."), show_alert=True)
        return
    await _confirm(query, state, Submitted(SubmitOutcome.ALREADY_SENT, request))


async def _confirm(query: CallbackQuery, state: FSMContext, submitted: Submitted) -> None:
    """The form is done. Its key stays, so that a late second press finds what was sent."""
    assert submitted.request is not None
    request = submitted.request
    await state.set_state(None)
    await state.set_data({"sent_draft": request.draft_key} if request.draft_key else {})
    if submitted.outcome is SubmitOutcome.ALREADY_SENT:
        # A second tap: the first one's answer is on the screen already (editing it again to
        # the same text would fail), so a short note confirms it.
        text = _("Your request {ref} has already been sent.").format(ref=isolate(request.ref))
        await query.answer(text)
        return
    text = _(
        "✅ Thank you! Your request has been sent. Your reference is {ref}. We will write to you "
        "as soon as a volunteer takes it. /myrequests shows your open requests."
    ).format(ref=f"<b>{isolate(request.ref)}</b>")
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
    await query.answer()


@router.callback_query(NavCb.filter(F.action == "back"))
async def on_back(
    query: CallbackQuery, state: FSMContext, raw_state: str | None, **deps: Any
) -> None:
    if raw_state is None or raw_state not in ORDER:
        await query.answer(_("There is nothing to go back to."), show_alert=True)
        return
    previous = _previous(raw_state, await state.get_data())
    if previous is None:
        await query.answer()
        return
    await ask(query, state, previous, **_deps(deps))


@router.message(Intake.description, F.text, NOT_A_COMMAND)
async def got_description(message: Message, state: FSMContext, **deps: Any) -> None:
    d = _deps(deps)
    text = clean(message.text or "").strip()
    tail = _continues_too_long(message, await state.get_data())
    if tail or len(text) > d["limit"]:
        await _remember_too_long(message, state)
        await message.answer(_too_long(len(text), d["limit"], tail=tail))
        return
    if len(text) < MIN_DESCRIPTION:
        await message.answer(_("Please write a little more, so that a volunteer understands."))
        return
    if not has_visible_letters(text, MIN_LETTERS):
        await message.answer(
            _("Please describe in words what you need. We found almost no letters.")
        )
        return
    language = detect_language(text, d["locale"])
    await state.update_data(description=text, language=language, too_long=None)
    await ask(message, state, ORDER[5], **d)


def _too_long(n: int, limit: int, *, tail: bool) -> str:
    if tail:
        return _(
            "Your text was too long, so Telegram sent it in parts. Please send one message "
            "with at most {limit} characters."
        ).format(limit=limit)
    return _("That is {n} characters; please shorten it to at most {limit}.").format(
        n=n, limit=limit
    )


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


@router.message(Intake.description, NOT_A_COMMAND)
async def got_description_not_text(message: Message) -> None:
    await message.answer(
        _("Please describe what you need in words (photos and files cannot be sent on).")
    )


@router.message(Intake.skill, NOT_A_COMMAND)
@router.message(Intake.district, NOT_A_COMMAND)
@router.message(Intake.when, NOT_A_COMMAND)
@router.message(Intake.day, NOT_A_COMMAND)
@router.message(Intake.consent, NOT_A_COMMAND)
@router.message(Intake.confirm, NOT_A_COMMAND)
async def got_text_instead_of_button(
    message: Message, state: FSMContext, raw_state: str | None, **deps: Any
) -> None:
    await message.answer(_("Please choose one of the buttons."))
    if raw_state is not None:
        await ask(message, state, raw_state, **_deps(deps))
