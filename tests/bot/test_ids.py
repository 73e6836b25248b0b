"""/id tells an admin the ids to put into LOTSE_COORDINATORS and LOTSE_COORDINATOR_CHAT_ID:
in a private chat and in a group, for anyone, before any registration; nothing else opens to
groups."""

from __future__ import annotations

from typing import Any

from aiogram.methods import SendMessage
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import HelpRequest, Volunteer
from matching.text import isolate
from tests.bot.harness import Harness, texts

NEWCOMER = 777_001
GROUP = -1001234567890


def in_group(harness: Harness, text: str, language_code: str = "en") -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    update = harness.message_update(NEWCOMER, content, language_code=language_code)
    update["message"]["chat"] = {"id": GROUP, "type": "supergroup", "title": "Koordination"}
    return update


async def test_id_names_the_persons_id_when_asked_in_a_private_chat(harness: Harness) -> None:
    calls = await harness.send(NEWCOMER, "/id")
    assert texts(calls) == [f"Your Telegram id: <code>{isolate(str(NEWCOMER))}</code>"]


async def test_id_names_the_group_and_the_person_when_asked_in_a_group(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await harness.feed(in_group(harness, "/id"))
    assert [call.chat_id for call in calls if isinstance(call, SendMessage)] == [GROUP]
    assert texts(calls) == [
        f"Your Telegram id: <code>{isolate(str(NEWCOMER))}</code>\n"
        f"The id of this group: <code>{isolate(str(GROUP))}</code>"
    ]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Volunteer)) == 0
        assert await session.scalar(select(func.count()).select_from(HelpRequest)) == 0


async def test_id_answers_in_the_persons_language_when_telegram_names_it(harness: Harness) -> None:
    calls = await harness.feed(in_group(harness, "/id", language_code="de"))
    assert texts(calls)[0].startswith("Ihre Telegram-ID: ")
    assert "Die ID dieser Gruppe: " in texts(calls)[0]


async def test_the_group_still_gets_nothing_else_when_id_is_answered_there(
    harness: Harness,
) -> None:
    for text in ("/start", "/help", "hello"):
        assert texts(await harness.feed(in_group(harness, text))) == []
