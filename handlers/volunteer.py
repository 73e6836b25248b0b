"""A volunteer signs up (skills, districts, languages), then manages their profile."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import MenuCb, NavCb, ToggleCb
from handlers.keyboards import toggles
from handlers.labels import LANGUAGE_NAMES, district_label, skill_label
from handlers.states import NOT_A_COMMAND, Signup
from handlers.volunteer_profile import router as profile_router
from matching.areas import Areas
from matching.status import VolunteerStatus
from services.clock import Clock
from services.volunteers import Profile, Saved, get_profile, get_volunteer, save_profile

router = Router(name="volunteer")
# Conversations happen in private chats; in a group (the coordinators') the bot stays quiet.
router.message.filter(F.chat.type == ChatType.PRIVATE)
router.include_router(profile_router)
FIELDS = ("skills", "districts", "languages")


def _options(field: str, areas: Areas) -> list[tuple[str, str]]:
    if field == "skills":
        return [(k, skill_label(areas, k)) for k in areas.skills]
    if field == "districts":
        return [(k, district_label(areas, k)) for k in areas.districts]
    return list(LANGUAGE_NAMES.items())


def _question(field: str, areas: Areas, selected: list[str]) -> tuple[str, InlineKeyboardMarkup]:
    texts = {
        "skills": _("What can you help with? Choose all that fit, then press Next."),
        "districts": _("In which districts can you help? Choose all that fit, then press Next."),
        "languages": _("Which languages do you speak? Choose all, then press Save."),
    }
    done = _("Save") if field == "languages" else _("Next") + " »"
    width = 3 if field == "districts" else 2
    keyboard = toggles(
        field, _options(field, areas), selected, done=done, width=width, back=field != "skills"
    )
    return texts[field], keyboard


async def _show(query: CallbackQuery, state: FSMContext, field: str, areas: Areas) -> None:
    await state.set_state(getattr(Signup, field))
    data = await state.get_data()
    text, keyboard = _question(field, areas, data.get(field, []))
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=keyboard)
    await query.answer()


@router.callback_query(MenuCb.filter(F.action == "help"))
async def on_help_offer(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, areas: Areas
) -> None:
    volunteer = await get_volunteer(session, query.from_user.id)
    if volunteer is not None and volunteer.status is VolunteerStatus.REJECTED:
        await query.answer(
            _("Please contact the agency about your volunteer profile."), show_alert=True
        )
        return
    profile = await get_profile(session, query.from_user.id)
    await state.set_data({f: sorted(getattr(profile, f)) for f in FIELDS})
    await _show(query, state, "skills", areas)


@router.callback_query(ToggleCb.filter(F.value != ""))
async def on_toggle(
    query: CallbackQuery,
    callback_data: ToggleCb,
    state: FSMContext,
    raw_state: str | None,
    areas: Areas,
) -> None:
    field, value = callback_data.field, callback_data.value
    if (
        field not in FIELDS
        or raw_state != getattr(Signup, field).state
        or value not in dict(_options(field, areas))
    ):
        await query.answer(_("This button belongs to an earlier step."), show_alert=True)
        return
    chosen = set((await state.get_data()).get(field, []))
    chosen ^= {value}
    await state.update_data({field: sorted(chosen)})
    await _show(query, state, field, areas)


@router.callback_query(ToggleCb.filter(F.value == ""))
async def on_toggle_done(
    query: CallbackQuery,
    callback_data: ToggleCb,
    state: FSMContext,
    raw_state: str | None,
    **deps: Any,
) -> None:
    field = callback_data.field
    if field not in FIELDS or raw_state != getattr(Signup, field).state:
        await query.answer(_("This button belongs to an earlier step."), show_alert=True)
        return
    if not (await state.get_data()).get(field):
        await query.answer(_("Please choose at least one."), show_alert=True)
        return
    if field != "languages":
        await _show(query, state, FIELDS[FIELDS.index(field) + 1], deps["areas"])
        return
    await _save(query, state, deps)


async def _save(query: CallbackQuery, state: FSMContext, deps: dict[str, Any]) -> None:
    data = await state.get_data()
    profile = Profile(*(frozenset(data[f]) for f in FIELDS))
    clock: Clock = deps["clock"]
    saved = await save_profile(
        deps["session"],
        user_id=query.from_user.id,
        profile=profile,
        rules=deps["rules"],
        now=clock.now(),
    )
    await state.clear()
    if saved is Saved.SUBMITTED:
        text = _(
            "Thank you! A coordinator will check your profile and let you know. "
            "Until then you will not get requests."
        )
    else:
        text = _("Your profile has been saved. /profile shows it.")
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
    await query.answer()


@router.callback_query(NavCb.filter(F.action == "back"), Signup.districts)
async def on_back_to_skills(query: CallbackQuery, state: FSMContext, areas: Areas) -> None:
    await _show(query, state, "skills", areas)


@router.callback_query(NavCb.filter(F.action == "back"), Signup.languages)
async def on_back_to_districts(query: CallbackQuery, state: FSMContext, areas: Areas) -> None:
    await _show(query, state, "districts", areas)


@router.message(Signup.skills, NOT_A_COMMAND)
@router.message(Signup.districts, NOT_A_COMMAND)
@router.message(Signup.languages, NOT_A_COMMAND)
async def got_text_in_signup(message: Message) -> None:
    await message.answer(_("Please use the buttons above to choose, then press Next."))
