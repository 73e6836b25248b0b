"""Every coordinators' command and every coordinators' button, used by somebody who is not a
coordinator, is refused and changes nothing in any table. The lists are read from the assembled
coordinators' router, so a command or a button added later is covered without a line here."""

from __future__ import annotations

import typing
from enum import Enum
from typing import Any

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Base, OutboxMessage
from handlers import coordinator
from matching.status import VolunteerStatus
from services.clock import FrozenClock
from services.requests import submit_request
from services.rules import Rules
from tests.bot.harness import Harness, texts
from tests.bot.test_meeting_console import saved_meeting
from tests.conftest import COORDINATOR_ID
from tests.factories import add_user, add_volunteer, draft

Sessions = async_sessionmaker[AsyncSession]
STRANGER, SEEKER, PENDING = 777, 501, 602


def _walk(router: Router, commands: set[str], buttons: set[type[CallbackData]]) -> None:
    for handler in router.message.handlers:
        for f in handler.filters or []:
            if isinstance(f.callback, Command):
                commands.update(c for c in f.callback.commands if isinstance(c, str))
    for handler in router.callback_query.handlers:
        for f in handler.filters or []:
            if isinstance(f.callback, CallbackQueryFilter):
                buttons.add(f.callback.callback_data)
    for sub in router.sub_routers:
        _walk(sub, commands, buttons)


def admin_surface() -> tuple[list[str], list[type[CallbackData]]]:
    commands: set[str] = set()
    buttons: set[type[CallbackData]] = set()
    _walk(coordinator.router(), commands, buttons)
    return sorted(commands), sorted(buttons, key=lambda c: c.__prefix__)


COMMANDS, BUTTONS = admin_surface()
IDS = {"request_id": "{req}", "volunteer_id": str(PENDING), "meeting_id": "{meeting}"}


def presses(cls: type[CallbackData]) -> list[str]:
    """One packed press per member of the class's enum field, with ids that exist."""
    hints = typing.get_type_hints(cls, include_extras=True)
    variants: list[list[str]] = []
    for name in cls.model_fields:
        kind = typing.get_args(hints[name])[0] if typing.get_args(hints[name]) else hints[name]
        if isinstance(kind, type) and issubclass(kind, Enum):
            variants.append([str(m.value) for m in kind])
        else:
            variants.append([IDS.get(name, "0" if kind is int else "x")])
    packed = [cls.__prefix__]
    for options in variants:
        packed = [f"{p}:{o}" for p in packed for o in options]
    return packed


PRESSES = [data for cls in BUTTONS for data in presses(cls)]


@pytest.fixture
async def world(sessions: Sessions, clock: FrozenClock, rules: Rules) -> dict[str, int]:
    async with sessions() as s, s.begin():
        for user_id in (SEEKER, STRANGER):
            await add_user(s, user_id, now=clock.now())
        await add_volunteer(s, PENDING, now=clock.now(), status=VolunteerStatus.PENDING)
        done = await submit_request(
            s, seeker_id=SEEKER, draft=draft(), rules=rules, now=clock.now()
        )
        assert done.request is not None
        req = done.request.id
    return {"req": req, "meeting": await saved_meeting(sessions, clock)}


async def snapshot(sessions: Sessions) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table; the refusal itself (an answer to the stranger) aside."""
    skip = {"users", "processed_updates"}
    async with sessions() as s:
        tables = {
            name: sorted(tuple(row) for row in await s.execute(select(table)))
            for name, table in Base.metadata.tables.items()
            if name not in skip | {"outbox"}
        }
        outbox = await s.execute(select(OutboxMessage.id).where(OutboxMessage.chat_id != STRANGER))
        return {**tables, "outbox": sorted(tuple(row) for row in outbox)}


def test_the_surface_is_read_when_the_router_is_assembled() -> None:
    assert {"audit", "coordinator_add", "coordinator_remove", "assign"} <= set(COMMANDS)
    assert {"a", "au", "cl", "e", "ma", "mr"} <= {cls.__prefix__ for cls in BUTTONS}


@pytest.mark.parametrize("command", COMMANDS)
async def test_an_admin_command_changes_nothing_when_a_non_admin_sends_it(
    harness: Harness, sessions: Sessions, world: dict[str, int], command: str
) -> None:
    before = await snapshot(sessions)
    shown = await harness.send(STRANGER, f"/{command} {world['req']} {PENDING}")
    assert [getattr(c, "text", None) for c in shown] == ["This is only for coordinators."]
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("data", PRESSES)
async def test_an_admin_button_changes_nothing_when_a_non_admin_presses_it(
    harness: Harness, sessions: Sessions, world: dict[str, int], data: str
) -> None:
    before = await snapshot(sessions)
    await harness.press(STRANGER, data.format(**world))
    assert await snapshot(sessions) == before


SORRY = "Sorry, something went wrong"


@pytest.mark.parametrize("command", COMMANDS)
async def test_an_admin_command_is_answered_without_a_failure_when_a_coordinator_sends_it(
    harness: Harness, world: dict[str, int], command: str
) -> None:
    shown = texts(await harness.send(COORDINATOR_ID, f"/{command} {world['req']} {PENDING}"))
    assert shown and not any(SORRY in text for text in shown)


@pytest.mark.parametrize("data", PRESSES)
async def test_an_admin_button_is_answered_without_a_failure_when_a_coordinator_presses_it(
    harness: Harness, world: dict[str, int], data: str
) -> None:
    calls = await harness.press(COORDINATOR_ID, data.format(**world))
    assert any(isinstance(c, AnswerCallbackQuery) for c in calls)  # the spinner always ends
    assert not any(SORRY in text for text in texts(calls))
