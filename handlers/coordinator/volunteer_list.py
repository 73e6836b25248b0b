"""/volunteers: the filters first (handlers/coordinator/volunteer_filters.py), then one page of
the volunteers they pick, each with a button to their card."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.console_callbacks import FilterPurpose, FilterView, VolunteerFilterCb
from handlers.coordinator.volunteer_filters import send_filters
from handlers.views.volunteer_list import PER_PAGE, last_page, list_keyboard, list_text
from matching.areas import Areas
from services.clock import Clock
from services.session import Session
from services.volunteer_queries import count_volunteers, volunteer_page


async def cmd_volunteers(message: Message, session: Session, clock: Clock, areas: Areas) -> None:
    await send_filters(message, FilterPurpose.LIST, session, clock, areas)


async def on_list(
    query: CallbackQuery, callback_data: VolunteerFilterCb, session: Session, clock: Clock
) -> None:
    """The page the button names; the last one if the list has shrunk since it was shown."""
    f, now = callback_data.chosen(), clock.now()
    total = await count_volunteers(session, f, now=now)
    page = min(callback_data.page, last_page(total))
    lines = await volunteer_page(session, f, now=now, page=page, per_page=PER_PAGE)
    if isinstance(query.message, Message):
        await query.message.edit_text(
            list_text(lines, page, total), reply_markup=list_keyboard(lines, f, page, total)
        )
    await query.answer()


def router() -> Router:
    r = Router(name="coordinator.volunteer_list")
    r.message.register(cmd_volunteers, Command("volunteers"))
    r.callback_query.register(
        on_list,
        VolunteerFilterCb.filter((F.view == FilterView.GO) & (F.purpose == FilterPurpose.LIST)),
    )
    return r
