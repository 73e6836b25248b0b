"""For everybody: /mydata (a file of everything Lotse stores about you) and /forget (delete it
all, after a confirmation); a silent volunteer's answer: stay, or leave."""

from __future__ import annotations

from functools import partial

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.callbacks import ForgetCb, StayCb
from handlers.views import privacy as views
from handlers.views.document import MadeWhenSent
from services.clock import Clock
from services.privacy.forget import erase_person
from services.privacy.mydata import as_json, my_data
from services.privacy.retention import stay, was_asked
from services.rules import Rules
from services.session import Session


async def cmd_mydata(message: Message, session: Session) -> None:
    assert message.from_user is not None
    data = await my_data(session, user_id=message.from_user.id)
    file = MadeWhenSent(partial(as_json, data), "lotse-my-data.json")
    await message.answer_document(file, caption=views.my_data_caption())


async def cmd_forget(message: Message) -> None:
    await message.answer(views.forget_question(), reply_markup=views.forget_keyboard())


async def on_forget(
    query: CallbackQuery, callback_data: ForgetCb, session: Session, rules: Rules, clock: Clock
) -> None:
    if not callback_data.yes:
        await query.answer(views.kept(), show_alert=True)
        return
    await erase_person(session, user_id=query.from_user.id, rules=rules, now=clock.now())
    # A toast, not a message: a message would be an outbox row that holds their chat id.
    await query.answer(views.forgotten(), show_alert=True)


async def on_stay(
    query: CallbackQuery, callback_data: StayCb, session: Session, rules: Rules, clock: Clock
) -> None:
    if not await was_asked(session, user_id=query.from_user.id):
        await query.answer(views.not_asked(), show_alert=True)
        return
    if not callback_data.stay:
        await erase_person(session, user_id=query.from_user.id, rules=rules, now=clock.now())
        await query.answer(views.forgotten(), show_alert=True)
        return
    await stay(session, user_id=query.from_user.id, now=clock.now())
    await query.answer(views.stayed(), show_alert=True)


def router() -> Router:
    r = Router(name="privacy")
    r.message.register(cmd_mydata, Command("mydata"))
    r.message.register(cmd_forget, Command("forget"))
    r.callback_query.register(on_forget, ForgetCb.filter())
    r.callback_query.register(on_stay, StayCb.filter(F.stay.in_({True, False})))
    return r
