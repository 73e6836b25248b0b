"""A help seeker asks for help: the form's buttons, Back, and the confirmation that sends it.
The steps are in handlers.seeker.steps; the typed description in handlers.seeker.description."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import FormField, MenuAction, MenuCb, NavAction, NavCb, PickCb
from handlers.common.fallback import on_back as nothing_to_go_back_to
from handlers.seeker.steps import (
    CHANGE_LANGUAGE,
    CONFIRM,
    FIRST,
    SEND,
    Asking,
    Consent,
    Step,
    ask_language,
    next_after,
    previous,
    step_named,
    valid_pick,
)
from handlers.states import Intake
from handlers.views.direction import number
from matching.areas import Areas
from matching.status import WhenKind
from matching.text import isolate
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
from services.session import Session

# A pressed button of this form whose field this version does not know: an earlier step's.
UNKNOWN_FIELD = F.data.regexp(rf"^{PickCb.__prefix__}:[^:]*:[^:]*$")


def asking(areas: Areas, rules: Rules, clock: Clock, i18n: I18n, description_limit: int) -> Asking:
    today = clock.now().astimezone(rules.tz).date()
    return Asking(areas, {}, today, description_limit, i18n.current_locale)


async def ask(target: Message | CallbackQuery, state: FSMContext, step: Step, a: Asking) -> None:
    """Move the form to `step` and show its question: in place after a button, else anew."""
    await state.set_state(step.state)
    text, keyboard = step.ask(replace(a, data=await state.get_data()))
    if isinstance(target, CallbackQuery) and isinstance(target.message, Message):
        await target.message.edit_text(text, reply_markup=keyboard)
        await target.answer()
    else:
        message = target.message if isinstance(target, CallbackQuery) else target
        if isinstance(message, Message):
            await message.answer(text, reply_markup=keyboard)


async def on_seek(
    query: CallbackQuery,
    state: FSMContext,
    session: Session,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
    description_limit: int,
) -> None:
    open_now = await count_open(session, seeker_id=query.from_user.id)
    if open_now >= rules.max_open_requests:
        await too_many(query, open_now)
        return
    # One key per form: sending the same form twice (a double tap) makes one request.
    await state.set_data({"draft_key": uuid.uuid4().hex})
    await ask(query, state, FIRST, asking(areas, rules, clock, i18n, description_limit))


async def too_many(query: CallbackQuery, open_now: int) -> None:
    text = ngettext(
        "You already have {n} open request. You cannot have more at one time. "
        "/myrequests shows it. You can cancel it there.",
        "You already have {n} open requests. You cannot have more at one time. "
        "/myrequests shows them. You can cancel one there.",
        open_now,
    ).format(n=number(open_now))
    if isinstance(query.message, Message):
        await query.message.answer(text)
    await query.answer()


async def _refuse_pick(query: CallbackQuery, step: Step | None, pick: PickCb, a: Asking) -> bool:
    """Answer a press that cannot move the form on; False if it can."""
    if step is None or step.field is not pick.field:
        await query.answer(_("This button belongs to an earlier step."), show_alert=True)
    elif not valid_pick(pick.field, pick.value, a.areas, a.today):
        await query.answer(_("This choice is not available."), show_alert=True)
    elif pick.field is FormField.CONSENT and pick.value == Consent.NO:
        await query.answer(
            _("Without your consent we cannot introduce a volunteer to you."), show_alert=True
        )
    else:
        return False
    return True


async def on_pick(
    query: CallbackQuery,
    callback_data: PickCb,
    state: FSMContext,
    raw_state: str | None,
    session: Session,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
    description_limit: int,
) -> None:
    a = asking(areas, rules, clock, i18n, description_limit)
    confirm = callback_data.field is FormField.CONFIRM
    if confirm and "sent_draft" in await state.get_data():
        await _sent_before(query, state, session)  # raw_state may be older than the data
        return
    step = step_named(raw_state)
    if await _refuse_pick(query, step, callback_data, a):
        return
    assert step is not None
    if confirm and callback_data.value == SEND:
        await _submit(query, state, session, rules, clock)
    elif confirm:
        await _language(query, state, callback_data.value, a)
    else:
        await state.update_data({callback_data.field.value: callback_data.value})
        await ask(query, state, next_after(step, await state.get_data()), a)


async def _language(query: CallbackQuery, state: FSMContext, value: str, a: Asking) -> None:
    """The confirmation's language: show the seven to choose from, or take the one chosen (the
    request carries it) and show the confirmation again."""
    if value == CHANGE_LANGUAGE:
        text, keyboard = ask_language(replace(a, data=await state.get_data()))
        if isinstance(query.message, Message):
            await query.message.edit_text(text, reply_markup=keyboard)
        await query.answer()
        return
    await state.update_data(language=value)
    await ask(query, state, CONFIRM, a)


async def on_unknown_field(query: CallbackQuery) -> None:
    await query.answer(_("This button belongs to an earlier step."), show_alert=True)


def _draft(data: dict[str, str]) -> RequestDraft:
    return RequestDraft(
        skill=data["skill"],
        district=data["district"],
        when_kind=WhenKind(data["when"]),
        when_date=date.fromisoformat(data["day"]) if data.get("day") else None,
        description=data["description"],
        language=data["language"],
        consent=True,
    )


async def _submit(
    query: CallbackQuery, state: FSMContext, session: Session, rules: Rules, clock: Clock
) -> None:
    data = await state.get_data()
    submitted = await submit_request(
        session,
        seeker_id=query.from_user.id,
        draft=_draft(data),
        rules=rules,
        now=clock.now(),
        draft_key=data.get("draft_key"),
    )
    if submitted.outcome is SubmitOutcome.TOO_MANY:
        await state.clear()
        await too_many(query, submitted.open_count)
        return
    await _confirm(query, state, submitted)


async def _sent_before(query: CallbackQuery, state: FSMContext, session: Session) -> None:
    """Send pressed again after the form was sent (a double tap that came second)."""
    key = (await state.get_data())["sent_draft"]
    request = await sent_request(session, seeker_id=query.from_user.id, draft_key=key)
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
        "✅ Thank you! Your request has been sent. Your request number is {ref}. We will write "
        "to you when a volunteer takes it. /myrequests shows your open requests."
    ).format(ref=f"<b>{isolate(request.ref)}</b>")
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
    await query.answer()


async def on_back(
    query: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    areas: Areas,
    rules: Rules,
    clock: Clock,
    i18n: I18n,
    description_limit: int,
) -> None:
    step = step_named(raw_state)
    if step is None:  # a state of the form that is no step (none today)
        await nothing_to_go_back_to(query)
        return
    earlier = previous(step, await state.get_data())
    if earlier is None:
        await query.answer()
        return
    await ask(query, state, earlier, asking(areas, rules, clock, i18n, description_limit))


def router() -> Router:
    r = Router(name="seeker.form")
    r.callback_query.register(on_seek, MenuCb.filter(F.action == MenuAction.SEEK))
    r.callback_query.register(on_pick, PickCb.filter())
    r.callback_query.register(on_unknown_field, UNKNOWN_FIELD)
    # Only in this form: another form's Back is its own (one nobody takes: common/fallback.py).
    back = NavCb.filter(F.action == NavAction.BACK)
    r.callback_query.register(on_back, StateFilter(Intake), back)
    return r
