"""/help shows each role only its own commands, and the menus and /help name every command the
bot answers: both are read from one list per role (handlers/views/menus.py)."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DEFAULT_LOCALES_DIR
from handlers import build_router, coordinator
from handlers.views.menus import (
    coordinator_own_commands,
    everyone_commands,
    volunteer_commands,
)
from services.clock import FrozenClock
from tests.bot.harness import Harness, texts
from tests.conftest import COORDINATOR_ID
from tests.factories import add_user, add_volunteer

Sessions = async_sessionmaker[AsyncSession]
SEEKER, VOLUNTEER = 501, 601
I18N = I18n(path=DEFAULT_LOCALES_DIR, default_locale="en")


def commands_of(router: Router) -> set[str]:
    found: set[str] = set()
    for handler in router.message.handlers:
        for f in handler.filters or []:
            if isinstance(f.callback, CommandStart):
                found.add("start")
            elif isinstance(f.callback, Command):
                found.update(c for c in f.callback.commands if isinstance(c, str))
    for sub in router.sub_routers:
        found |= commands_of(sub)
    return found


def names(menu: Callable[[], list[BotCommand]]) -> set[str]:
    with I18N.context(), I18N.use_locale("en"):
        return {c.command for c in menu()}


def test_the_coordinators_menu_names_every_coordinator_command_when_published() -> None:
    assert commands_of(coordinator.router()) == names(coordinator_own_commands)


def test_everyone_and_volunteers_menus_name_every_other_command_when_published() -> None:
    private = commands_of(build_router()) - commands_of(coordinator.router())
    # /id is the admin's set-up tool (the README names it), kept out of people's menus.
    assert private == names(everyone_commands) | names(volunteer_commands) | {"id"}


async def help_for(harness: Harness, user_id: int) -> str:
    return texts(await harness.send(user_id, "/help"))[0]


async def test_each_role_sees_only_its_own_commands_when_it_asks_for_help(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_user(s, SEEKER, now=clock.now())
        await add_volunteer(s, VOLUNTEER, now=clock.now())
    seeker = await help_for(harness, SEEKER)
    assert "/myrequests" in seeker and "/pause" not in seeker and "/pending" not in seeker
    volunteer = await help_for(harness, VOLUNTEER)
    assert "/pause" in volunteer and "/pending" not in volunteer
    coordinator_help = await help_for(harness, COORDINATOR_ID)
    assert "/pending" in coordinator_help and "/stats" in coordinator_help
    assert "/audit" in coordinator_help and "/pause" not in coordinator_help
