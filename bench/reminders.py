"""Reminder benchmark: one meeting whose audience is 500 volunteers; its first reminder (the
calendar file, sendDocument, with the reminder as caption and the answer buttons) is queued by
the scheduler's use case and drained through the real sender, renderer and pacer of bot.app
into the Bot API emulator enforcing Telegram's limits (30 new messages a second overall).

Run: .venv/bin/python -m bench.reminders   (about 20 s: the limit is the point)
Prints one JSON line: reminders (queued), seconds (wall time of the drain), messages_per_s,
duplicates (messages beyond one per volunteer) and lost (rows not sent + volunteers without
their reminder). Target: at least 28.5 messages a second, none lost or doubled.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.utils.i18n import I18n
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_rules
from bot.areas import load_areas
from bot.config import Settings
from bot.emulator import Emulator, run_emulator
from bot.sender import OutboxSender, sender_from_settings
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import OutboxMessage, OutboxStatus, User, Volunteer
from handlers.views.notices import make_renderer
from matching.status import MeetingKind, VolunteerStatus
from services.clock import SystemClock
from services.meeting_reminders import send_due_reminders
from services.meetings import MeetingDraft, create_meeting
from services.rules import Rules

VOLUNTEERS = 500
FIRST_ID = 20_000


async def populate(
    sessions: async_sessionmaker[AsyncSession], emu: Emulator, now: datetime
) -> None:
    async with sessions() as s, s.begin():
        for n in range(VOLUNTEERS):
            user_id = FIRST_ID + n
            emu.add_user(user_id, f"Helferin {n}")
            s.add(User(id=user_id, first_name=f"Helferin {n}", language_code="de", created_at=now))
            s.add(Volunteer(user_id=user_id, status=VolunteerStatus.APPROVED, created_at=now))


async def queue_reminders(sessions: async_sessionmaker[AsyncSession], rules: Rules) -> int:
    """A weekly meeting a day ahead (23.5 hours, out of the 02:00 hour); the scheduler's tick
    now, when its first reminder (a day before) is due."""
    now = SystemClock().now()
    local = (now + timedelta(hours=23, minutes=30)).astimezone(rules.tz)
    if local.hour == 2:
        local += timedelta(hours=1)
    draft = MeetingDraft(
        title="Helferabend",
        kind=MeetingKind.WEEKLY,
        weekday=local.weekday(),
        start=local.time().replace(second=0, microsecond=0),
        place="Bürgerhaus Kalk, Saal 2",
    )
    async with sessions() as s, s.begin():
        saved = await create_meeting(s, draft=draft, created_by=1, now=now)
        assert saved.meeting_id is not None
    async with sessions() as s, s.begin():
        return await send_due_reminders(s, now=now, rules=rules)


def make_sender(settings: Settings, bot: Bot, sessions: Any, rules: Rules) -> OutboxSender:
    i18n = I18n(path=settings.locales_dir, default_locale=settings.default_locale)
    return sender_from_settings(
        settings,
        bot=bot,
        sessions=sessions,
        render=make_renderer(i18n, load_areas(settings.areas_file), rules.tz),
        clock=SystemClock(),
        rules=rules,
        available_locales=i18n.available_locales,
    )


async def unsent(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s:
        query = select(func.count()).where(OutboxMessage.status != OutboxStatus.SENT)
        return int(await s.scalar(query) or 0)


def counted(emu: Emulator) -> tuple[int, int]:
    """(duplicates, volunteers who got nothing) as the emulator saw it."""
    got = [len(emu.documents_to(FIRST_ID + n)) for n in range(VOLUNTEERS)]
    return sum(max(0, g - 1) for g in got), sum(1 for g in got if g == 0)


async def bench(db_file: Path) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{db_file}"
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    async with run_emulator(rate_limits=True) as emu:
        settings = Settings(_env_file=None, database_url=url, telegram_api_url=emu.base_url)
        rules = build_rules(settings)
        await populate(sessions, emu, SystemClock().now())
        queued = await queue_reminders(sessions, rules)
        session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
        bot = Bot("123456:bench", session=session, default=DefaultBotProperties(parse_mode="HTML"))
        sender = make_sender(settings, bot, sessions, rules)
        started = time.monotonic()
        sent = await sender.drain()
        seconds = time.monotonic() - started
        await session.close()
        duplicates, missing = counted(emu)
        result = {
            "reminders": queued,
            "seconds": round(seconds, 2),
            "messages_per_s": round(sent / seconds, 2),
            "duplicates": duplicates,
            "lost": await unsent(sessions) + missing,
        }
    await engine.dispose()
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(bench(Path(tmp) / "reminders.db"))))


if __name__ == "__main__":
    main()
