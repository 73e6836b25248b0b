"""Start, help and cancel; a user who blocks the bot."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import KICKED, ChatMemberUpdatedFilter, Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import ChatMemberUpdated, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import MenuAction, MenuCb
from handlers.keyboards import button, language_menu_button, markup
from handlers.views.menus import help_text
from services.clock import Clock
from services.leaving import mark_volunteer_unreachable
from services.roles import is_coordinator
from services.rules import Rules
from services.session import Session
from services.volunteers import get_volunteer


def start_keyboard() -> InlineKeyboardMarkup:
    return markup(
        [
            [button("🆘 " + _("I need help"), MenuCb(action=MenuAction.SEEK))],
            [button("🤝 " + _("I want to help"), MenuCb(action=MenuAction.HELP))],
            [language_menu_button()],
        ]
    )


def welcome_text() -> str:
    return _(
        "Hello! Lotse brings people who are new in Germany together with volunteers. "
        "The volunteers help you. For example, they go with you to an office or a school "
        "meeting.\n\n"
        "What would you like to do?"
    )


async def cmd_start(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(welcome_text(), reply_markup=start_keyboard())


async def cmd_help(message: Message, session: Session) -> None:
    assert message.from_user is not None
    user_id = message.from_user.id
    volunteer = await get_volunteer(session, user_id) is not None
    coordinator = await is_coordinator(session, user_id)
    await message.answer(help_text(volunteer=volunteer, coordinator=coordinator))


async def cmd_cancel(message: Message, state: FSMContext) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    if had_state:
        await message.answer(_("Cancelled. Nothing was sent. Send /start to begin again."))
    else:
        await message.answer(_("There is nothing to cancel. /start shows what you can do."))


async def on_blocked(
    event: ChatMemberUpdated, session: Session, clock: Clock, rules: Rules
) -> None:
    """The user blocked the bot: stop sending to them (offers skip them from now on)."""
    await mark_volunteer_unreachable(
        session, user_id=event.from_user.id, rules=rules, now=clock.now()
    )


def router() -> Router:
    r = Router(name="start")
    r.message.register(cmd_start, CommandStart())
    r.message.register(cmd_help, Command("help"))
    r.message.register(cmd_cancel, Command("cancel"))
    r.my_chat_member.register(on_blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    return r
