"""The outbox sender with a real aiogram Bot over HTTP against the Bot API emulator, which
enforces Telegram's flood limits as rolling windows."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import Emulator, run_emulator
from bot.sender import OutboxSender, Rendered
from db.models import OutboxMessage, OutboxStatus, User
from services.clock import SystemClock
from services.outbox import Notice, OfferNotice, Payload, enqueue
from services.rules import Rules
from tests.db.test_sender import sample
from tests.e2e.conftest import emulator_sender, make_bot

GLOBAL_RATE = 20  # below Telegram's 30 so that the per-chat limit is not the only one reached


def render(payload: Payload, locale: str) -> Rendered:
    assert isinstance(payload, OfferNotice)
    n = payload.request.ref
    text = f"<b>{html.escape(payload.kind)}</b> #{html.escape(n)}"
    button = InlineKeyboardButton(text="Annehmen", callback_data=f"acc:{n}")
    return text, InlineKeyboardMarkup(inline_keyboard=[[button]])


@pytest.fixture
async def limited() -> AsyncIterator[Emulator]:
    async with run_emulator(global_rate=GLOBAL_RATE, per_chat_rate=1) as emu:
        yield emu


@pytest.fixture
async def sender(
    limited: Emulator, sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> AsyncIterator[OutboxSender]:
    bot = make_bot(limited)
    yield emulator_sender(bot, sessions, rules, render, rate_global=GLOBAL_RATE)
    await bot.session.close()


async def add_users(emu: Emulator, sessions: async_sessionmaker[AsyncSession], *ids: int) -> None:
    async with sessions() as s, s.begin():
        for user_id in ids:
            emu.add_user(user_id, f"user{user_id}")
            s.add(User(id=user_id, created_at=SystemClock().now()))


async def add(
    sessions: async_sessionmaker[AsyncSession], chat_id: int, n: object, **kw: Any
) -> int:
    async with sessions() as s, s.begin():
        now = SystemClock().now()
        row = await enqueue(
            s,
            chat_id=chat_id,
            payload=sample(Notice.OFFER, n),
            dedupe_key=f"{n}",
            now=now,
            **kw,
        )
        return row.id


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> dict[int, OutboxMessage]:
    async with sessions() as s:
        return {r.id: r for r in (await s.scalars(select(OutboxMessage))).all()}


async def test_sender_stays_under_the_overall_and_per_chat_limits(
    limited: Emulator, sender: OutboxSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chats = range(1, 13)
    await add_users(limited, sessions, *chats)
    for round_ in range(3):
        for chat in chats:
            await add(sessions, chat, f"{chat}-{round_}")
    assert await sender.drain() == 36
    assert limited.stats.http_429 == 0
    assert limited.max_sends_in_window(1.0) <= GLOBAL_RATE
    for chat in chats:
        assert limited.max_sends_in_window(1.0, chat_id=chat) == 1
        texts = [m.text for m in limited.messages_to(chat)]
        assert texts == [f"offer #{chat}-{r}" for r in range(3)]  # in order, none lost
    assert {r.status for r in (await statuses(sessions)).values()} == {OutboxStatus.SENT}


async def test_an_edit_goes_to_the_sent_message(
    limited: Emulator, sender: OutboxSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_users(limited, sessions, 1)
    offer = await add(sessions, 1, "offer")
    await add(sessions, 1, "taken", edit_of=offer)
    assert await sender.drain() == 2  # the edit waits out the per-chat second
    [message] = limited.messages_to(1)
    assert message.text == "offer #taken" and message.edits[0].text == "offer #offer"
    assert limited.stats.http_429 == 0


async def test_a_forced_429_is_waited_out_and_nothing_is_lost(
    limited: Emulator, sender: OutboxSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_users(limited, sessions, 1, 2, 3, 4)
    for chat in (1, 2, 3, 4):
        await add(sessions, chat, chat)
    limited.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    task = asyncio.create_task(sender.run())
    try:
        await limited.wait_for(lambda: limited.stats.sent == 4, timeout=5)
    finally:
        await sender.stop()
        await task
    assert limited.stats.http_429 == 1  # only the injected one
    stored = (await statuses(sessions)).values()
    assert {(r.status, r.attempts) for r in stored} == {(OutboxStatus.SENT, 0)}
    retried = [r for r in stored if r.last_error]
    assert len(retried) == 1 and "Retry in 1 seconds" in (retried[0].last_error or "")


async def test_a_blocked_user_becomes_unreachable(
    limited: Emulator, sender: OutboxSender, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_users(limited, sessions, 1, 2)
    await limited.block(2)
    blocked = [await add(sessions, 2, "b1"), await add(sessions, 2, "b2")]
    await add(sessions, 1, "a")
    assert await sender.drain() == 1
    assert limited.stats.http_403 == 1
    stored = await statuses(sessions)
    assert {stored[i].status for i in blocked} == {OutboxStatus.UNREACHABLE}
    async with sessions() as s:
        assert not (await s.get_one(User, 2)).reachable
