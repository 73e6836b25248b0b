"""Coordinators in the database: added and removed by command, let through or refused by the
guard at once, with an audit row for each change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram.methods import DeleteMyCommands, SetMyCommands, TelegramMethod
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.role_models import AuditEntry, Coordinator
from matching.locales import CODES
from matching.status import AuditAction
from services.audit import record
from services.clock import FrozenClock
from services.roles import seed
from tests.bot.harness import Harness, buttons, texts
from tests.conftest import COORDINATOR_ID
from tests.factories import add_user

Sessions = async_sessionmaker[AsyncSession]
NEW = 555_001
ONLY = "This is only for coordinators."


async def coordinators(sessions: Sessions) -> list[int]:
    async with sessions() as s:
        return sorted(await s.scalars(select(Coordinator.user_id)))


async def audit_rows(sessions: Sessions) -> list[tuple[AuditAction, int, int | None]]:
    async with sessions() as s:
        rows = await s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, r.actor_id, r.target_user_id) for r in rows]


async def test_a_person_becomes_a_coordinator_when_added_by_id(
    harness: Harness, sessions: Sessions
) -> None:
    shown = texts(await harness.send(COORDINATOR_ID, f"/coordinator_add {NEW}"))
    assert "is now a coordinator" in shown[0]
    assert await coordinators(sessions) == [NEW, COORDINATOR_ID]
    assert await audit_rows(sessions) == [(AuditAction.COORDINATOR_ADDED, COORDINATOR_ID, NEW)]


async def test_a_person_becomes_a_coordinator_when_added_by_username(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        (await add_user(s, NEW, now=clock.now())).username = "Anna_K"
    await harness.send(COORDINATOR_ID, "/coordinator_add @anna_k")
    assert await coordinators(sessions) == [NEW, COORDINATOR_ID]


async def test_an_unknown_username_adds_nobody_when_the_bot_never_met_them(
    harness: Harness, sessions: Sessions
) -> None:
    shown = texts(await harness.send(COORDINATOR_ID, "/coordinator_add @nobody_here"))
    assert "I do not know this person" in shown[0]
    assert await coordinators(sessions) == [COORDINATOR_ID]


async def test_a_person_becomes_a_coordinator_when_a_message_of_theirs_is_forwarded(
    harness: Harness, sessions: Sessions
) -> None:
    asked = texts(await harness.send(COORDINATOR_ID, "/coordinator_add"))
    assert "forward a message" in asked[0]
    origin = {"type": "user", "date": 1, "sender_user": harness.user(NEW, "Anna")}
    forwarded = harness.message_update(COORDINATOR_ID, {"text": "hi", "forward_origin": origin})
    shown = texts(await harness.feed(forwarded))
    assert "is now a coordinator" in shown[0]
    assert await coordinators(sessions) == [NEW, COORDINATOR_ID]


async def test_the_guard_lets_a_new_coordinator_in_and_a_removed_one_out_at_once(
    harness: Harness, sessions: Sessions
) -> None:
    assert texts(await harness.send(NEW, "/audit")) == [ONLY]
    await harness.send(COORDINATOR_ID, f"/coordinator_add {NEW}")
    assert texts(await harness.send(NEW, "/audit")) != [ONLY]
    shown = texts(await harness.send(COORDINATOR_ID, f"/coordinator_remove {NEW}"))
    assert "is no longer a coordinator" in shown[0]
    assert texts(await harness.send(NEW, "/audit")) == [ONLY]
    assert [a for a, _, _ in await audit_rows(sessions)] == [
        AuditAction.COORDINATOR_ADDED,
        AuditAction.COORDINATOR_REMOVED,
    ]


async def test_a_settings_coordinator_stays_when_another_tries_to_remove_them(
    harness: Harness, sessions: Sessions
) -> None:
    await harness.send(COORDINATOR_ID, f"/coordinator_add {NEW}")
    shown = texts(await harness.send(NEW, f"/coordinator_remove {COORDINATOR_ID}"))
    assert "in the bot's settings" in shown[0]
    assert await coordinators(sessions) == [NEW, COORDINATOR_ID]


async def test_the_last_coordinator_stays_when_they_try_to_remove_themselves(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await s.execute(delete(Coordinator))
        await seed(s, (NEW,), now=clock.now())
    shown = texts(await harness.send(NEW, f"/coordinator_remove {NEW}"))
    assert "the last coordinator" in shown[0]
    assert await coordinators(sessions) == [NEW]
    assert await audit_rows(sessions) == []


async def test_audit_shows_twenty_lines_and_pages_older_and_newer_when_pressed(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        for i in range(25):
            at = clock.now() + timedelta(minutes=i)
            await record(s, actor_id=COORDINATOR_ID, action=AuditAction.LOTSE_SET, now=at)
    calls = await harness.send(COORDINATOR_ID, "/audit")
    [text] = texts(calls)
    assert text.count("made a volunteer a Lotse") == 20
    assert [label for label, _ in buttons(calls)] == ["Older »"]
    older = await harness.press(COORDINATOR_ID, buttons(calls)[0][1])
    assert texts(older)[0].count("made a volunteer a Lotse") == 5
    assert [label for label, _ in buttons(older)] == ["« Newer"]


def menus_of(calls: list[TelegramMethod[Any]]) -> list[tuple[str, object, str | None]]:
    """The menu calls: which, in whose chat, in which language."""
    return [
        (type(c).__name__, getattr(c.scope, "chat_id", None), c.language_code)
        for c in calls
        if isinstance(c, SetMyCommands | DeleteMyCommands)
    ]


async def test_a_new_coordinators_menu_is_published_and_a_removed_ones_taken_back_at_once(
    harness: Harness,
) -> None:
    added = menus_of(await harness.send(COORDINATOR_ID, f"/coordinator_add {NEW}"))
    languages = [language for _, _, language in added]
    assert {(kind, chat) for kind, chat, _ in added} == {("SetMyCommands", NEW)}
    assert len(languages) == len(CODES) + 1 and None in languages
    removed = menus_of(await harness.send(COORDINATOR_ID, f"/coordinator_remove {NEW}"))
    assert {(kind, chat) for kind, chat, _ in removed} == {("DeleteMyCommands", NEW)}
    assert [language for _, _, language in removed] == languages


async def test_no_menu_changes_when_the_role_does_not_change(harness: Harness) -> None:
    await harness.send(COORDINATOR_ID, f"/coordinator_add {NEW}")
    again = await harness.send(COORDINATOR_ID, f"/coordinator_add {NEW}")
    assert menus_of(again) == []
