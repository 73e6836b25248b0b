"""Start, help, language, cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import KICKED, ChatMemberUpdatedFilter, Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import LangCb, MenuCb, NavCb
from handlers.keyboards import button, markup
from handlers.labels import language_label
from services.answers import mark_volunteer_unreachable
from services.clock import Clock
from services.rules import Rules
from services.users import set_locale
from services.volunteers import get_volunteer

router = Router(name="common")
# Conversations happen in private chats; in a group (the coordinators') the bot stays quiet.
router.message.filter(F.chat.type == ChatType.PRIVATE)


def start_keyboard() -> InlineKeyboardMarkup:
    return markup(
        [
            [button("🆘 " + _("I need help"), MenuCb(action="seek"))],
            [button("🤝 " + _("I want to help"), MenuCb(action="help"))],
            [button("🌐 " + _("Language"), MenuCb(action="lang"))],
        ]
    )


@router.message(CommandStart())
async def cmd_start(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(
        _(
            "Hello! Lotse connects people who are new in Germany with volunteers who help, "
            "for example by going with you to an office or a school meeting.\n\n"
            "What would you like to do?"
        ),
        reply_markup=start_keyboard(),
    )


@router.message(Command("help"))
async def cmd_help(
    message: Message, session: AsyncSession, rules: Rules, state: FSMContext
) -> None:
    assert message.from_user is not None
    parts = [
        _(
            "<b>For everyone</b>\n/start: start\n/myrequests: your open requests\n"
            "/language: change the language\n/cancel: stop what you are doing"
        )
    ]
    if await get_volunteer(session, message.from_user.id) is not None:
        parts.append(
            _(
                "<b>For volunteers</b>\n/profile: your profile\n/mytasks: requests you took\n"
                "/pause: take a break\n/resume: get requests again\n/quiet: quiet hours"
            )
        )
    if rules.is_coordinator(message.from_user.id):
        parts.append(
            _(
                "<b>For coordinators</b>\n/pending: volunteers waiting for approval\n"
                "/open: open requests\n/request REF: one request with its history\n"
                "/escalate REF: next tier now\n/assign REF VOLUNTEER: assign directly\n"
                "/lotse VOLUNTEER, /unlotse VOLUNTEER: the Lotsen pool"
            )
        )
    await message.answer("\n\n".join(parts))


@router.message(Command("cancel"))
async def cmd_cancel(message: Message, state: FSMContext) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    if had_state:
        await message.answer(_("Cancelled. Nothing was sent. /start begins again."))
    else:
        await message.answer(_("There is nothing to cancel. /start shows what you can do."))


@router.callback_query(NavCb.filter(F.action == "cancel"))
async def on_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Cancelled. Nothing was sent. /start begins again."))
    await query.answer()


def language_keyboard(i18n: I18n) -> InlineKeyboardMarkup:
    codes = sorted(i18n.available_locales)
    return markup([[button(language_label(code), LangCb(code=code))] for code in codes])


@router.message(Command("language"))
async def cmd_language(message: Message, i18n: I18n) -> None:
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard(i18n))


@router.callback_query(MenuCb.filter(F.action == "lang"))
async def on_language_menu(query: CallbackQuery, i18n: I18n) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Choose your language:"),
            reply_markup=language_keyboard(i18n),
        )
    await query.answer()


@router.callback_query(LangCb.filter())
async def on_language(
    query: CallbackQuery, callback_data: LangCb, session: AsyncSession, i18n: I18n
) -> None:
    if callback_data.code not in i18n.available_locales:
        await query.answer(_("This language is not available yet."), show_alert=True)
        return
    await set_locale(session, user_id=query.from_user.id, locale=callback_data.code)
    with i18n.use_locale(callback_data.code):
        if isinstance(query.message, Message):
            await query.message.edit_text(_("Language changed. /start shows what you can do."))
        await query.answer()


@router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=KICKED))
async def on_blocked(
    event: ChatMemberUpdated, session: AsyncSession, clock: Clock, rules: Rules
) -> None:
    """The user blocked the bot: stop sending to them (offers skip them from now on)."""
    await mark_volunteer_unreachable(
        session, user_id=event.from_user.id, rules=rules, now=clock.now()
    )
