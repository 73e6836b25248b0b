"""Burst benchmark: 50 seekers press "Send request" at the same instant.

Run: .venv/bin/python -m bench.burst   (about a minute)
The real bot as its own process (`lotse run`, polling), against the Bot API emulator with
Telegram's limits (30 messages/s, 1/s per chat) and 50 ms per Bot API call, on a SQLite file.
Each seeker asks for a different (skill, district), which four volunteers cover, so the first
message to one of those four is the request's first offer. The seekers fill in the form at a
human pace first; then all 50 confirm at once. Prints one JSON line:

- first_offer_p95_s: from the press to the request's first offer arriving. Target <= 4.
- confirmation_p95_s: from the press to the seeker's confirmation (the press answered, and the
  message edited or a new one sent). Target <= 2.
- http_429: 429 answers of the emulator from the press on. Target 0.
- failed_updates: updates answered with the error text or not answered within TIMEOUT seconds,
  while filling in the form (the seeker tries again) or confirming (counted as TIMEOUT in the
  percentiles). Target 0.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import COORDINATOR, Step, act, bot_process, emit, form, p95
from bench.population import DISTRICTS, add_pool
from bot.emulator import Emulator, run_emulator
from db.engine import create_engine
from db.migrate import upgrade
from services.clock import SystemClock

SEEKERS = 50
PER_REQUEST = 4  # volunteers covering each seeker's (skill, district)
FIRST_SEEKER, FIRST_VOLUNTEER = 1_000, 100_000
API_LATENCY = 0.05
STEP_PAUSE = 2.0  # a seeker reads between two steps; 50 of them stay under 30 messages/s
TIMEOUT = 20.0
SKILLS = ("offices", "school", "furniture", "interpreting", "german", "homework", "children")


def requests() -> dict[int, tuple[str, str]]:
    """Each seeker's (skill, district), all different."""
    pairs = list(itertools.product(SKILLS, DISTRICTS))
    random.Random(2026).shuffle(pairs)
    return {FIRST_SEEKER + n: pairs[n] for n in range(SEEKERS)}


def volunteers(asked: dict[int, tuple[str, str]]) -> dict[int, list[int]]:
    """The volunteers who can take each seeker's request."""
    ids = itertools.count(FIRST_VOLUNTEER)
    return {seeker: [next(ids) for _ in range(PER_REQUEST)] for seeker in asked}


async def prepare(
    db_url: str, asked: dict[int, tuple[str, str]], pool: dict[int, list[int]]
) -> None:
    engine = create_engine(db_url)
    await upgrade(engine)
    rows = [(v, *asked[seeker]) for seeker, ids in pool.items() for v in ids]
    await add_pool(engine, rows, SystemClock().now())
    await engine.dispose()


async def fill_in(emu: Emulator, seeker: int, skill: str, district: str, start: float) -> int:
    """Every step but the last, at a human pace; a step that fails is tried again, as a person
    would. Returns the number of failed updates."""
    await asyncio.sleep(start)
    failed = 0
    for step in form(skill, district)[:-1]:
        while await act(emu, seeker, step, timeout=TIMEOUT) is None:
            failed += 1
            if failed > 5:
                raise RuntimeError(f"seeker {seeker} got no answer:\n{emu.describe(seeker)}")
            await asyncio.sleep(STEP_PAUSE)
        await asyncio.sleep(STEP_PAUSE)
    return failed


def first_offers(emu: Emulator, pool: dict[int, list[int]], pressed: float) -> dict[int, float]:
    """Seconds from the press to the first message to any of each request's volunteers."""
    firsts: dict[int, float] = {}
    owner = {v: seeker for seeker, ids in pool.items() for v in ids}
    for send in emu.sends:
        seeker = owner.get(send.chat_id)
        if seeker is not None and send.method == "sendMessage" and send.at >= pressed:
            firsts.setdefault(seeker, send.at - pressed)
    return firsts


async def bench(workdir: Path) -> dict[str, Any]:
    asked = requests()
    pool = volunteers(asked)
    db_url = f"sqlite+aiosqlite:///{workdir / 'burst.db'}"
    await prepare(db_url, asked, pool)
    async with run_emulator(latency=API_LATENCY) as emu, bot_process(emu, db_url, workdir):
        emu.add_user(COORDINATOR, "Coordinator")
        for seeker in asked:
            emu.add_user(seeker, f"Seeker {seeker}", language_code="en")
        for ids in pool.values():
            for v in ids:
                emu.add_user(v, f"Helper {v}")
        if await act(emu, FIRST_SEEKER, Step(text="/start"), timeout=60) is None:
            raise RuntimeError("the bot did not answer /start")
        setup_failed = await asyncio.gather(
            *(
                fill_in(emu, s, *asked[s], start=n * STEP_PAUSE / SEEKERS)
                for n, s in enumerate(asked)
            )
        )
        await asyncio.sleep(1.5)  # the per-chat second of the last answers has passed
        before_429 = emu.stats.http_429
        pressed = time.monotonic()
        confirmations = await asyncio.gather(
            *(act(emu, s, form(*asked[s])[-1], TIMEOUT) for s in asked)
        )

        def every_request_offered() -> bool:
            return len(first_offers(emu, pool, pressed)) == SEEKERS

        try:
            await emu.wait_for(every_request_offered, TIMEOUT - (time.monotonic() - pressed))
        except TimeoutError:
            print("some requests got no offer in time", file=sys.stderr)
        offers = first_offers(emu, pool, pressed)
        http_429 = emu.stats.http_429 - before_429
    confirmed = [c for c in confirmations if c is not None]
    print(f"failed updates: {sum(setup_failed)} filling in the form", file=sys.stderr)
    return {
        "first_offer_p95_s": round(p95([offers.get(s, TIMEOUT) for s in asked]), 2),
        "confirmation_p95_s": round(p95([c or TIMEOUT for c in confirmations]), 2),
        "http_429": http_429,
        "failed_updates": sum(setup_failed) + SEEKERS - len(confirmed),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lotse-bench-") as tmp:
        emit(asyncio.run(bench(Path(tmp))))


if __name__ == "__main__":
    main()
