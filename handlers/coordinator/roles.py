"""/coordinator_add and /coordinator_remove: a person named by id, @username (of somebody the
bot knows) or a forwarded message from them. The change and its audit row are one transaction."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.methods import TelegramMethod
from aiogram.types import Message, MessageOriginHiddenUser, MessageOriginUser
from aiogram.utils.i18n import get_i18n

from handlers.coordinator.args import parse_who, user_mention
from handlers.states import RoleForm
from handlers.views import roles as views
from handlers.views.menus import coordinator_menus, coordinator_menus_removed
from services import roles
from services.clock import Clock
from services.rules import Rules
from services.session import Session

ADD, REMOVE = "coordinator_add", "coordinator_remove"


async def cmd_role(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: Session,
    clock: Clock,
    rules: Rules,
) -> None:
    """/coordinator_add or /coordinator_remove, with whom after the command or asked for."""
    adding = command.command == ADD
    if not command.args:
        await _ask(message, state, RoleForm.adding if adding else RoleForm.removing)
        return
    await _apply(message, adding, command.args, session, clock, rules)


async def _ask(message: Message, state: FSMContext, step: State) -> None:
    await state.set_state(step)
    await message.answer(views.ask_whom())


async def on_whom(
    message: Message, state: FSMContext, session: Session, clock: Clock, rules: Rules
) -> None:
    adding = await state.get_state() == RoleForm.adding.state
    await state.clear()
    await _apply(message, adding, message.text, session, clock, rules)


async def _apply(
    message: Message, adding: bool, text: str | None, session: Session, clock: Clock, rules: Rules
) -> None:
    assert message.from_user is not None
    user_id = await _whom(message, text, session)
    if user_id is None:
        return
    actor, now = message.from_user.id, clock.now()
    if adding:
        outcome = await roles.add(session, actor_id=actor, user_id=user_id, now=now)
    else:
        outcome = await roles.remove(session, actor_id=actor, user_id=user_id, rules=rules, now=now)
    await message.answer(views.role_outcome(outcome, await user_mention(session, user_id)))
    assert message.bot is not None
    await _menus(message.bot, outcome, user_id)


async def _menus(bot: Bot, outcome: roles.RoleOutcome, user_id: int) -> None:
    """The person's command menu follows their role at once, without a restart (sent after
    the commit; at start-up every coordinator's menu is published again)."""
    i18n, calls = get_i18n(), list[TelegramMethod[bool]]()
    if outcome is roles.RoleOutcome.ADDED:
        calls += coordinator_menus(i18n, user_id)
    elif outcome is roles.RoleOutcome.REMOVED:
        calls += coordinator_menus_removed(i18n, user_id)
    for call in calls:
        await bot(call)


async def _whom(message: Message, text: str | None, session: Session) -> int | None:
    """The person named, or None after saying what is wrong."""
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.id
    if isinstance(origin, MessageOriginHiddenUser):
        await message.answer(views.hidden_sender())
        return None
    who = parse_who(text)
    user_id = await roles.find_user_id(session, who) if who is not None else None
    if user_id is None:
        await message.answer(views.unknown_person())
    return user_id


def router() -> Router:
    r = Router(name="coordinator-roles")
    r.message.register(cmd_role, Command(ADD, REMOVE))
    r.message.register(on_whom, RoleForm.adding)
    r.message.register(on_whom, RoleForm.removing)
    return r
