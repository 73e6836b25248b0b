"""Fan-out benchmark: 1,000 offers to 1,000 chats through the real OutboxSender, against the
Bot API emulator enforcing Telegram's limits (30/s overall, 1/s per chat).

Run: .venv/bin/python -m bench.fanout   (takes about 35 s: the limit is the point)
Prints one JSON line: messages_per_s (sent / wall time of the drain), http_429 (answers the
emulator gave; should be 0) and lost (rows not sent + messages missing in the emulator).
"""

from __future__ import annotations

import asyncio
import html
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import Emulator, run_emulator
from bot.sender import OutboxSender, Rendered
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import OutboxMessage, OutboxStatus, User
from matching.escalation import Tier
from matching.status import WhenKind
from services.clock import SystemClock
from services.outbox import OfferNotice, Payload, RequestFacts, enqueue
from services.rules import Rules

USERS = 1000
FIRST_ID = 10_000
RATE_GLOBAL, RATE_PER_CHAT, GROUP_PER_MINUTE = 30, 1, 20


def render(payload: Payload, locale: str) -> Rendered:
    """An offer roughly as the bot words it: what, where, when, and two buttons."""
    assert isinstance(payload, OfferNotice)
    r = payload.request
    when = "heute" if r.when_kind is WhenKind.TODAY else r.when_kind.value
    text = (
        f"<b>Neue Anfrage {html.escape(r.ref)}</b>\n"
        f"{html.escape(r.skill)} in {html.escape(r.district)}, "
        f"{html.escape(when)}\n\n<i>{html.escape(r.description)}</i>"
    )
    offer = payload.offer_id
    buttons = [
        InlineKeyboardButton(text="Ich helfe", callback_data=f"offer:accept:{offer}"),
        InlineKeyboardButton(text="Diesmal nicht", callback_data=f"offer:decline:{offer}"),
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=[buttons])


async def populate(sessions: async_sessionmaker[AsyncSession], emu: Emulator) -> None:
    now = SystemClock().now()
    async with sessions() as s, s.begin():
        for n in range(USERS):
            user_id = FIRST_ID + n
            emu.add_user(user_id, f"Helfer {n}")
            s.add(User(id=user_id, first_name=f"Helfer {n}", language_code="de", created_at=now))
        await s.flush()
        for n in range(USERS):
            facts = RequestFacts(
                request_id=n + 1,
                ref=f"K{n:05d}",
                skill="Einkaufen",
                district="Ehrenfeld",
                when_kind=WhenKind.TODAY,
                when_date=None,
                description="Wocheneinkauf für eine ältere Dame, ca. 1 Stunde <3 & Danke!",
                language="de",
                urgent=False,
            )
            await enqueue(
                s,
                chat_id=FIRST_ID + n,
                payload=OfferNotice(request=facts, offer_id=n + 1, tier=Tier.VOLUNTEERS),
                dedupe_key=f"bench:offer:{n}",
                now=now,
            )


async def unsent(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s:
        query = select(func.count()).where(OutboxMessage.status != OutboxStatus.SENT)
        return int(await s.scalar(query) or 0)


async def bench(db_file: Path) -> dict[str, Any]:
    engine = create_engine(f"sqlite+aiosqlite:///{db_file}")
    await upgrade(engine)
    sessions = create_session_factory(engine)
    async with run_emulator(
        global_rate=RATE_GLOBAL, per_chat_rate=RATE_PER_CHAT, group_per_minute=GROUP_PER_MINUTE
    ) as emu:
        await populate(sessions, emu)
        session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
        bot = Bot("123456:bench", session=session, default=DefaultBotProperties(parse_mode="HTML"))
        sender = OutboxSender(
            bot=bot,
            sessions=sessions,
            render=render,
            clock=SystemClock(),
            rules=Rules(),
            rate_global=RATE_GLOBAL,
            rate_per_chat=RATE_PER_CHAT,
            group_per_minute=GROUP_PER_MINUTE,
            max_attempts=5,
            backoff_seconds=2,
            idle_poll_seconds=5,
            available_locales=("de",),
        )
        started = time.monotonic()
        sent = await sender.drain()
        seconds = time.monotonic() - started
        await session.close()
        delivered = sum(len(emu.messages_to(FIRST_ID + n)) for n in range(USERS))
        result = {
            "messages_per_s": round(sent / seconds, 2),
            "http_429": emu.stats.http_429,
            "lost": await unsent(sessions) + (USERS - delivered),
            "seconds": round(seconds, 2),
            "max_in_1s": emu.max_sends_in_window(1.0),
        }
    await engine.dispose()
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(bench(Path(tmp) / "fanout.db"))))


if __name__ == "__main__":
    main()
