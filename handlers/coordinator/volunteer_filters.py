"""The filter buttons shared by /volunteers and /broadcast: choosing a skill, district, language
or standing edits the message in place. The next step (the button the filter's purpose names) is
handled by the purpose's own module: handlers/coordinator/volunteers.py, broadcast.py."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.console_callbacks import FilterPurpose, FilterView, VolunteerFilterCb
from handlers.views.volunteer_filters import (
    choice_keyboard,
    choice_text,
    summary_keyboard,
    summary_text,
)
from matching.areas import Areas
from services.clock import Clock
from services.session import Session
from services.volunteer_queries import VolunteerFilter, count_volunteers


def _go(purpose: FilterPurpose, count: int) -> str | None:
    if count == 0:
        return None
    if purpose is FilterPurpose.LIST:
        return _("Show the list") + " »"
    return _("Next: write the message") + " »"


async def filters_view(
    session: Session,
    clock: Clock,
    areas: Areas,
    purpose: FilterPurpose,
    view: FilterView,
    f: VolunteerFilter,
) -> tuple[str, InlineKeyboardMarkup]:
    if view is FilterView.SUMMARY:
        count = await count_volunteers(session, f, now=clock.now())
        return summary_text(f, count, areas), summary_keyboard(purpose, f, _go(purpose, count))
    return choice_text(view), choice_keyboard(purpose, view, f, areas)


async def send_filters(
    message: Message,
    purpose: FilterPurpose,
    session: Session,
    clock: Clock,
    areas: Areas,
    f: VolunteerFilter | None = None,
) -> None:
    """The filters as a new message: how /volunteers and /broadcast begin."""
    view = FilterView.SUMMARY
    text, keyboard = await filters_view(
        session, clock, areas, purpose, view, f or VolunteerFilter()
    )
    await message.answer(text, reply_markup=keyboard)


async def on_filter(
    query: CallbackQuery,
    callback_data: VolunteerFilterCb,
    session: Session,
    clock: Clock,
    areas: Areas,
) -> None:
    cb = callback_data
    text, keyboard = await filters_view(session, clock, areas, cb.purpose, cb.view, cb.chosen())
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=keyboard)
    await query.answer()


def router() -> Router:
    r = Router(name="coordinator.volunteer_filters")
    r.callback_query.register(on_filter, VolunteerFilterCb.filter(F.view != FilterView.GO))
    return r
