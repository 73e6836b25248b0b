"""A volunteer signs up, or edits their profile: skills, districts, languages."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    TOGGLE_DONE,
    MenuAction,
    MenuCb,
    NavAction,
    NavCb,
    SignupField,
    ToggleCb,
)
from handlers.keyboards import toggles
from handlers.states import NOT_A_COMMAND, Signup
from handlers.views.labels import LANGUAGE_NAMES, district_label, skill_label
from matching.areas import Areas
from matching.status import VolunteerStatus
from services.clock import Clock
from services.rules import Rules
from services.session import Session
from services.volunteers import Profile, Saved, get_profile, get_volunteer, save_profile

FIELDS = tuple(SignupField)  # in the order they are asked
# A pressed toggle whose field this version does not know: an earlier step's.
UNKNOWN_FIELD = F.data.regexp(rf"^{ToggleCb.__prefix__}:[^:]*:[^:]*$")


def _options(field: SignupField, areas: Areas) -> list[tuple[str, str]]:
    if field is SignupField.SKILLS:
        return [(k, skill_label(areas, k)) for k in areas.skills]
    if field is SignupField.DISTRICTS:
        return [(k, district_label(areas, k)) for k in areas.districts]
    return list(LANGUAGE_NAMES.items())


def _question(
    field: SignupField, areas: Areas, selected: list[str]
) -> tuple[str, InlineKeyboardMarkup]:
    texts = {
        SignupField.SKILLS: _("What can you help with? Choose all that fit. Then press Next."),
        SignupField.DISTRICTS: _(
            "In which districts can you help? Choose all that fit. Then press Next."
        ),
        SignupField.LANGUAGES: _("Which languages do you speak? Choose all. Then press Save."),
    }
    last = field is FIELDS[-1]
    done = _("Save") if last else _("Next") + " »"
    width = 3 if field is SignupField.DISTRICTS else 2
    keyboard = toggles(
        field, _options(field, areas), selected, done=done, width=width, back=field is not FIELDS[0]
    )
    return texts[field], keyboard


def _state(field: SignupField) -> str | None:
    state: str | None = getattr(Signup, field.value).state
    return state


async def _show(query: CallbackQuery, state: FSMContext, field: SignupField, areas: Areas) -> None:
    await state.set_state(_state(field))
    data = await state.get_data()
    text, keyboard = _question(field, areas, data.get(field.value, []))
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=keyboard)
    await query.answer()


async def on_help_offer(
    query: CallbackQuery, state: FSMContext, session: Session, areas: Areas
) -> None:
    volunteer = await get_volunteer(session, query.from_user.id)
    if volunteer is not None and volunteer.status is VolunteerStatus.REJECTED:
        await query.answer(
            _("Please contact the agency about your volunteer profile."), show_alert=True
        )
        return
    profile = await get_profile(session, query.from_user.id)
    await state.set_data({f.value: sorted(getattr(profile, f.value)) for f in FIELDS})
    await _show(query, state, FIELDS[0], areas)


async def on_toggle(
    query: CallbackQuery,
    callback_data: ToggleCb,
    state: FSMContext,
    raw_state: str | None,
    areas: Areas,
) -> None:
    field, value = callback_data.field, callback_data.value
    if raw_state != _state(field) or value not in dict(_options(field, areas)):
        await query.answer(_("This button belongs to an earlier step."), show_alert=True)
        return
    chosen = set((await state.get_data()).get(field.value, []))
    chosen ^= {value}
    await state.update_data({field.value: sorted(chosen)})
    await _show(query, state, field, areas)


async def on_toggle_done(
    query: CallbackQuery,
    callback_data: ToggleCb,
    state: FSMContext,
    raw_state: str | None,
    session: Session,
    areas: Areas,
    clock: Clock,
    rules: Rules,
) -> None:
    field = callback_data.field
    if raw_state != _state(field):
        await query.answer(_("This button belongs to an earlier step."), show_alert=True)
        return
    if not (await state.get_data()).get(field.value):
        await query.answer(_("Please choose at least one."), show_alert=True)
        return
    if field is not FIELDS[-1]:
        await _show(query, state, FIELDS[FIELDS.index(field) + 1], areas)
        return
    saved = await _save(query, state, session, clock, rules)
    if isinstance(query.message, Message):
        await query.message.edit_text(_saved_text(saved))
    await query.answer()


async def _save(
    query: CallbackQuery, state: FSMContext, session: Session, clock: Clock, rules: Rules
) -> Saved:
    data = await state.get_data()
    profile = Profile(*(frozenset(data[f.value]) for f in FIELDS))
    saved = await save_profile(
        session, user_id=query.from_user.id, profile=profile, rules=rules, now=clock.now()
    )
    await state.clear()
    return saved


def _saved_text(saved: Saved) -> str:
    if saved is Saved.SUBMITTED:
        return _(
            "Thank you! A coordinator will check your profile and tell you the result. "
            "Until then, you will not get requests."
        )
    return _("Your profile has been saved. /profile shows it.")


async def on_back_to_skills(query: CallbackQuery, state: FSMContext, areas: Areas) -> None:
    await _show(query, state, SignupField.SKILLS, areas)


async def on_back_to_districts(query: CallbackQuery, state: FSMContext, areas: Areas) -> None:
    await _show(query, state, SignupField.DISTRICTS, areas)


async def on_unknown_field(query: CallbackQuery) -> None:
    await query.answer(_("This button belongs to an earlier step."), show_alert=True)


async def got_text_in_signup(message: Message) -> None:
    await message.answer(_("Please choose with the buttons above. Then press Next."))


def router() -> Router:
    r = Router(name="volunteer.signup")
    on = r.callback_query.register
    on(on_help_offer, MenuCb.filter(F.action == MenuAction.HELP))
    on(on_toggle, ToggleCb.filter(F.value != TOGGLE_DONE))
    on(on_toggle_done, ToggleCb.filter(F.value == TOGGLE_DONE))
    on(on_unknown_field, UNKNOWN_FIELD)
    back = NavCb.filter(F.action == NavAction.BACK)
    on(on_back_to_skills, back, Signup.districts)
    on(on_back_to_districts, back, Signup.languages)
    r.message.register(got_text_in_signup, Signup.skills, NOT_A_COMMAND)
    r.message.register(got_text_in_signup, Signup.districts, NOT_A_COMMAND)
    r.message.register(got_text_in_signup, Signup.languages, NOT_A_COMMAND)
    return r
