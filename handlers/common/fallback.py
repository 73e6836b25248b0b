"""Last resort: whatever no other handler took gets a clear answer, never silence. Also the Back
and Cancel that no form took: every form's own come first, whatever router it is in."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import NavAction, NavCb


async def on_unknown_command(message: Message) -> None:
    await message.answer(_("I do not know this command here. Send /help to see what you can do."))


async def on_anything(message: Message) -> None:
    await message.answer(
        _("I did not understand that. Send /start to begin. Send /help to see all commands.")
    )


async def on_cancel(query: CallbackQuery, state: FSMContext) -> None:
    """Cancel in a form without a Cancel of its own (the seeker's, the sign-up), or an old one."""
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Cancelled. Nothing was sent. Send /start to begin again."))
    await query.answer()


async def on_back(query: CallbackQuery) -> None:
    """Back on the first question of a form, or on an old message."""
    await query.answer(_("There is nothing to go back to."), show_alert=True)


async def on_stale_button(query: CallbackQuery) -> None:
    await query.answer(
        _("This button is no longer valid. Send /start to begin again."), show_alert=True
    )


def router() -> Router:
    r = Router(name="fallback")
    r.message.register(on_unknown_command, F.text.startswith("/"))
    r.message.register(on_anything)
    r.callback_query.register(on_cancel, NavCb.filter(F.action == NavAction.CANCEL))
    r.callback_query.register(on_back, NavCb.filter(F.action == NavAction.BACK))
    r.callback_query.register(on_stale_button)
    return r
