"""The coordinators' guard sits where their routers are assembled: a module added to that list
is guarded without a line of its own."""

from __future__ import annotations

from types import SimpleNamespace

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from handlers import coordinator
from tests.bot.harness import Harness, texts
from tests.conftest import COORDINATOR_ID

STRANGER = 777
ONLY = "This is only for coordinators."


def with_probe(harness: Harness) -> list[int]:
    """Assemble a throwaway admin module, /probe_admin, the way the coordinators' modules are,
    and put it first in the dispatcher; the list records who it ran for."""
    ran: list[int] = []

    async def cmd_probe_admin(message: Message) -> None:
        assert message.from_user is not None
        ran.append(message.from_user.id)
        await message.answer("probed")

    def router() -> Router:
        r = Router(name="probe")
        r.message.register(cmd_probe_admin, Command("probe_admin"))
        return r

    assembled = coordinator.router([SimpleNamespace(router=router)])
    harness.dp.include_router(assembled)
    harness.dp.sub_routers.insert(0, harness.dp.sub_routers.pop())  # before the fallback
    return ran


async def test_a_new_admin_module_refuses_a_stranger_when_assembled_with_the_coordinators(
    harness: Harness,
) -> None:
    ran = with_probe(harness)
    shown = texts(await harness.send(STRANGER, "/probe_admin"))
    assert shown == [ONLY]
    assert ran == []


async def test_a_new_admin_module_runs_for_a_coordinator_when_assembled_with_the_coordinators(
    harness: Harness,
) -> None:
    ran = with_probe(harness)
    shown = texts(await harness.send(COORDINATOR_ID, "/probe_admin"))
    assert shown == ["probed"]
    assert ran == [COORDINATOR_ID]
