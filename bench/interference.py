"""Interference benchmark: seekers pressing buttons while the bot fans out 1,000 offers.

Run: .venv/bin/python -m bench.interference   (about a minute)
The real bot as its own process (`lotse run`, polling), against the Bot API emulator with
Telegram's limits (30 messages/s, 1/s per chat) and 50 ms per Bot API call, on a SQLite file.
1,000 offers to 1,000 volunteers are written to the outbox (as bench.fanout does); meanwhile 10
seekers go back and forth in the form (topic, district, back, back), one press about every
1.1 s each, for as long as the fan-out lasts. Prints one JSON line:

- press_p95_s: from a press to the bot's answer (the press answered, and the message edited
  or a new one sent); a press not answered within TIMEOUT counts as TIMEOUT. Target <= 0.3.
- fanout_messages_per_s: offers delivered over the time from their commit to the last one
  (or to FANOUT_TIMEOUT, when some never arrive). Target >= 27.
- http_429: 429 answers of the emulator from the fan-out on. Target 0.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import COORDINATOR, Step, act, bot_process, emit, p95
from bench.population import bulk
from bot.emulator import Emulator, run_emulator
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import User
from handlers.callbacks import MenuCb, NavCb, PickCb
from matching.escalation import Tier
from matching.status import WhenKind
from services.clock import SystemClock
from services.outbox import OfferNotice, RequestFacts, enqueue

OFFERS = 1_000
SEEKERS = 10
FIRST_SEEKER, FIRST_VOLUNTEER = 1_000, 100_000
API_LATENCY = 0.05
PRESS_EVERY = 1.1  # seconds between two presses of one seeker: a person, and Telegram's 1/s
TIMEOUT = 10.0
FANOUT_TIMEOUT = 60.0
BACK_AND_FORTH = [
    Step(data=PickCb(field="skill", value="school").pack()),
    Step(data=PickCb(field="district", value="nippes").pack()),
    Step(data=NavCb(action="back").pack()),
    Step(data=NavCb(action="back").pack()),
]


async def offer_everyone(engine: AsyncEngine) -> None:
    """One offer to each volunteer, in one transaction, as a request's first round would."""
    now = SystemClock().now()
    async with create_session_factory(engine)() as s, s.begin():
        for n in range(OFFERS):
            facts = RequestFacts(
                request_id=n + 1,
                ref=f"K{n:05d}",
                skill="furniture",
                district="ehrenfeld",
                when_kind=WhenKind.WEEK,
                when_date=None,
                description="Wocheneinkauf für eine ältere Dame, ca. 1 Stunde <3 & Danke!",
                language="de",
                urgent=False,
            )
            payload = OfferNotice(request=facts, offer_id=n + 1, tier=Tier.VOLUNTEERS)
            key = f"bench:offer:{n}"
            chat_id = FIRST_VOLUNTEER + n
            await enqueue(s, chat_id=chat_id, payload=payload, dedupe_key=key, now=now)


class Fanout:
    """Arrival times of the offers, read from the emulator's record of accepted sends."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.times: list[float] = []
        self._seen = 0

    def delivered(self) -> int:
        for send in self.emu.sends[self._seen :]:
            if FIRST_VOLUNTEER <= send.chat_id < FIRST_VOLUNTEER + OFFERS:
                self.times.append(send.at)
        self._seen = len(self.emu.sends)
        return len(self.times)


START = [Step(text="/start"), Step(data=MenuCb(action="seek").pack())]


async def press_until(emu: Emulator, seeker: int, done: asyncio.Event) -> list[float]:
    """Back and forth in the form until `done`; the seconds each press took. After a press
    that failed, the seeker starts the form again."""
    took: list[float] = []
    n = 0
    while not done.is_set():
        started = time.monotonic()
        seconds = await act(emu, seeker, BACK_AND_FORTH[n % len(BACK_AND_FORTH)], TIMEOUT)
        took.append(TIMEOUT if seconds is None else seconds)
        n = 0 if seconds is None else n + 1
        if seconds is None and not done.is_set():
            for step in START:
                await act(emu, seeker, step, TIMEOUT)
        pause = PRESS_EVERY - (time.monotonic() - started)
        if pause > 0:
            await asyncio.sleep(pause)
    return took


async def bench(workdir: Path) -> dict[str, Any]:
    db_url = f"sqlite+aiosqlite:///{workdir / 'interference.db'}"
    engine = create_engine(db_url)
    await upgrade(engine)
    now = SystemClock().now()
    volunteers = [
        {"id": FIRST_VOLUNTEER + n, "first_name": f"v{n}", "language_code": "de", "created_at": now}
        for n in range(OFFERS)
    ]
    async with engine.begin() as conn:
        await bulk(conn, User, volunteers)
    async with run_emulator(latency=API_LATENCY) as emu, bot_process(emu, db_url, workdir):
        emu.add_user(COORDINATOR, "Coordinator")
        for n in range(OFFERS):
            emu.add_user(FIRST_VOLUNTEER + n, f"Helper {n}")
        seekers = [FIRST_SEEKER + n for n in range(SEEKERS)]
        for seeker in seekers:
            emu.add_user(seeker, f"Seeker {seeker}", language_code="en")
        for step in START:
            answers = await asyncio.gather(*(act(emu, s, step, timeout=60) for s in seekers))
            if None in answers:
                raise RuntimeError(f"a seeker got no answer to {step}")
        await asyncio.sleep(PRESS_EVERY)
        before_429 = emu.stats.http_429
        await offer_everyone(engine)
        committed = time.monotonic()
        fanout, done = Fanout(emu), asyncio.Event()
        pressing = [asyncio.create_task(press_until(emu, s, done)) for s in seekers]
        try:
            await emu.wait_for(lambda: fanout.delivered() >= OFFERS, FANOUT_TIMEOUT)
        except TimeoutError:
            print(f"only {fanout.delivered()} offers in {FANOUT_TIMEOUT} s", file=sys.stderr)
        done.set()
        seconds = (
            fanout.times[-1] if len(fanout.times) == OFFERS else time.monotonic()
        ) - committed
        presses = [t for took in await asyncio.gather(*pressing) for t in took]
        http_429 = emu.stats.http_429 - before_429
    await engine.dispose()
    print(f"{len(presses)} presses, {presses.count(TIMEOUT)} unanswered", file=sys.stderr)
    return {
        "press_p95_s": round(p95(presses), 3),
        "fanout_messages_per_s": round(len(fanout.times) / seconds, 2),
        "http_429": http_429,
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lotse-bench-") as tmp:
        emit(asyncio.run(bench(Path(tmp))))


if __name__ == "__main__":
    main()
