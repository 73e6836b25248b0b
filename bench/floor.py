"""Floor benchmark: what the intake's updates cost with this stack alone, on this machine.

Run: .venv/bin/python -m bench.floor   (about a minute)
bench.intake's set-up and measures (a SQLite file with 100,000 volunteers, Telegram faked at the
transport, a bare ORM transaction timed beside each update, 200 seekers at once), with the bot
replaced by the work every update of the form needs under DESIGN.md's rules, done plainly:

- aiogram's dispatcher with one handler for messages and one for presses;
- one transaction that claims the update, reads the user and the conversation, and writes the
  conversation and the answer into the outbox; for "Send request" also the request, the
  candidate query (db.candidates, as the bot runs it), and an offer and an outbox row for each
  volunteer found;
- after the commit the answer sent, the offers sent by a task of their own, and every send
  recorded in batches by the bot's own ledger (bot/ledger.py).

Left out, though Lotse does them: the request's event and its escalation step, the volunteers'
offer stamps, languages, consent, the flood guard, routing through many routers, rendering and
pacing. Prints one JSON line with bench.intake's keys: {"form_step_ratio": …, "confirm_ratio":
…, "statements_form_step": …, "statements_confirm": …, "updates_per_s": …}.
"""

from __future__ import annotations

import asyncio
import contextvars
import random
import secrets
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import (
    DESCRIPTION,
    TOKEN,
    FakeTelegram,
    Feeder,
    StatementCounter,
    Step,
    emit,
    form,
)
from bench.intake import (
    CROWD,
    PAIRS,
    SETTLE,
    TIMEOUT,
    BareTransaction,
    crowd,
    pairs,
    prepare,
)
from bot.areas import load_areas
from bot.config import DEFAULT_AREAS_FILE
from bot.ledger import Ledger
from db.candidates import find_candidates
from db.dialect import insert_for
from db.engine import create_engine, create_session_factory
from db.models import (
    FsmRecord,
    HelpRequest,
    Offer,
    OutboxMessage,
    OutboxStatus,
    ProcessedUpdate,
    User,
)
from handlers.callbacks import PickCb
from matching.clock import local_now
from matching.escalation import Policy
from matching.model import RequestSpec
from matching.status import OfferStatus, Priority, RequestStatus, WhenKind
from services.clock import SystemClock
from services.rules import Rules

TEXT = "Which part of the city do you live in? Please choose."
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text=f"District {i}", callback_data=f"pick:district:{i}")]
        for i in range(9)
    ]
)
LEASE = timedelta(seconds=30)


class Floor:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], transport: FakeTelegram) -> None:
        self.sessions = sessions
        self.transport = transport
        self.bot = Bot(TOKEN, session=transport, default=DefaultBotProperties(parse_mode="HTML"))
        self.clock = SystemClock()
        self.rules = Rules()
        self.bare = BareTransaction(sessions, self.clock)
        # Sends recorded in batches by the bot's own ledger (one attempt: nothing fails here).
        self.ledger = Ledger(sessions, self.clock, self.rules, 1, backoff=(0.05, 5.0))
        self.feeder = Feeder()
        self.rng = random.Random(20261121)
        self.offering: set[asyncio.Task[None]] = set()
        self.dp = Dispatcher()
        router = Router()
        router.message()(self.on_message)
        router.callback_query()(self.on_press)
        self.dp.include_router(router)

    async def on_message(self, message: Message, event_update: Update) -> None:
        row, _offers = await self.transaction(message.chat.id, event_update.update_id, None)
        sent = await message.answer(TEXT, reply_markup=KEYBOARD)
        self.ledger.mark_sent(row, sent.message_id, self.clock.now())

    async def on_press(self, query: CallbackQuery, event_update: Update) -> None:
        data = query.data or ""
        pick = PickCb.unpack(data) if data.startswith(f"{PickCb.__prefix__}:") else None
        row, offers = await self.transaction(query.from_user.id, event_update.update_id, pick)
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.edit_text(TEXT, reply_markup=KEYBOARD)
        self.ledger.mark_sent(row, query.message.message_id, self.clock.now())
        if offers:  # sent by a task of their own, as the sender does
            task = asyncio.create_task(self.send_offers(offers), context=contextvars.Context())
            self.offering.add(task)
            task.add_done_callback(self.offering.discard)

    async def transaction(
        self, user_id: int, update_id: int, pick: PickCb | None
    ) -> tuple[int, list[tuple[int, int]]]:
        """The update's one transaction: its answer's outbox row, and for "Send request" the
        offers' (outbox row, volunteer)."""
        now = self.clock.now()
        offers: list[tuple[int, int]] = []
        async with self.sessions() as s, s.begin():
            claim = insert_for(s, ProcessedUpdate).values(update_id=update_id, at=now)
            await s.execute(claim.on_conflict_do_nothing(index_elements=["update_id"]))
            if await s.get(User, user_id) is None:
                s.add(User(id=user_id, first_name="Seeker", reachable=True, created_at=now))
            key = f"{TOKEN.split(':')[0]}:{user_id}:{user_id}:default"
            record = await s.get(FsmRecord, key)
            if record is None:
                record = FsmRecord(key=key, state=None, data={})
                s.add(record)
            data = dict(record.data)
            if pick is not None:
                data[pick.field.value] = pick.value
            record.state, record.data = "Intake:next", data
            if pick is not None and pick.field.value == "confirm":
                offers = await self.request(s, user_id, data, now)
            answer = _row(f"{update_id}", user_id, {"text": TEXT}, Priority.INTERACTIVE, now)
            row: int = (
                await s.execute(insert(OutboxMessage).returning(OutboxMessage.id), answer)
            ).scalar_one()
        return row, offers

    async def request(
        self, s: AsyncSession, seeker: int, data: dict[str, Any], now: datetime
    ) -> list[tuple[int, int]]:
        """The request, the candidate query, an offer and an outbox row per volunteer found."""
        request_id: int = (
            await s.execute(
                insert(HelpRequest).returning(HelpRequest.id),
                {
                    "ref": secrets.token_hex(3).upper(),
                    "seeker_id": seeker,
                    "skill": data["skill"],
                    "district": data["district"],
                    "when_kind": WhenKind(data["when"]),
                    "description": DESCRIPTION,
                    "language": "en",
                    "consent": True,
                    "urgent": False,
                    "status": RequestStatus.OPEN,
                    "policy": self.rules.policy_for(urgent=False).to_dict(),
                    "tier": 0,
                    "step": 0,
                    "steps_run": 0,
                    "next_step_at": now + LEASE,
                    "draft_key": uuid.uuid4().hex,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        ).scalar_one()
        spec = RequestSpec(request_id, data["skill"], data["district"], "en", seeker)
        found = await find_candidates(
            s,
            spec,
            local_now(now, self.rules.tz),
            tz=self.rules.tz,
            limit=Policy().offers_per_round,
            default_cap=self.rules.default_daily_cap,
        )
        if not found:
            return []
        offer = {"request_id": request_id, "status": OfferStatus.PENDING, "created_at": now}
        await s.execute(insert(Offer), [offer | {"volunteer_id": v.user_id} for v in found])
        rows = [
            _row(f"offer:{request_id}:{v.user_id}", v.user_id, {}, Priority.FIRST_OFFER, now)
            for v in found
        ]
        ids = (await s.execute(insert(OutboxMessage).returning(OutboxMessage.id), rows)).scalars()
        return list(zip(ids, (v.user_id for v in found), strict=True))

    async def send_offers(self, offers: list[tuple[int, int]]) -> None:
        for row, volunteer in offers:
            sent = await self.bot.send_message(volunteer, TEXT, reply_markup=KEYBOARD)
            self.ledger.mark_sent(row, sent.message_id, self.clock.now())

    async def feed(self, user_id: int, step: Step) -> tuple[bool, float, int]:
        raw, query_id = self.feeder.update(user_id, step)
        mark = self.transport.mark(user_id, query_id)
        with StatementCounter.counting() as statements:
            started = time.perf_counter()
            await self.dp.feed_raw_update(self.bot, raw)
            ok = await self.transport.answer(mark, TIMEOUT)
            return ok, time.perf_counter() - started, statements[0]

    def seeker_form(self, skills: list[str], districts: list[str]) -> list[Step]:
        return form(self.rng.choice(skills), self.rng.choice(districts))

    async def quiet(self) -> None:
        while self.offering:
            await asyncio.gather(*self.offering)
        await self.ledger.settled()
        await asyncio.sleep(SETTLE)


def _row(
    key: str, chat_id: int, payload: dict[str, Any], priority: int, now: datetime
) -> dict[str, Any]:
    return {
        "dedupe_key": key,
        "chat_id": chat_id,
        "kind": "answer" if priority == Priority.INTERACTIVE else "offer",
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "priority": priority,
        "not_before": now + LEASE,
        "created_at": now,
    }


async def bench(db_file: Path) -> dict[str, Any]:
    db_url = f"sqlite+aiosqlite:///{db_file}"
    await prepare(db_url)
    engine = create_engine(db_url)
    StatementCounter(engine)
    floor = Floor(create_session_factory(engine), FakeTelegram())
    areas = load_areas(DEFAULT_AREAS_FILE)  # the bot's own districts and skills
    skills, districts = list(areas.skills), list(areas.districts)
    try:
        started = time.perf_counter()
        forms = [floor.seeker_form(skills, districts) for _ in range(PAIRS)]
        out = await pairs(floor.feed, floor.bare, floor.quiet, forms, first_id=10_000_000)
        print(f"pairs {time.perf_counter() - started:.1f} s", file=sys.stderr)
        forms = [floor.seeker_form(skills, districts) for _ in range(CROWD)]
        out["updates_per_s"] = round(await crowd(floor.feed, forms, first_id=20_000_000), 1)
        await floor.quiet()
    finally:
        await engine.dispose()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lotse-bench-") as tmp:
        emit(asyncio.run(bench(Path(tmp) / "floor.db")))


if __name__ == "__main__":
    main()
