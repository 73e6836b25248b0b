"""Intake benchmark: what one update costs the bot, and how many it handles at once.

Run: .venv/bin/python -m bench.intake   (about a minute and a half)
The real application (bot.app.create_app: the dispatcher with its middlewares, the outbox sender
running) on a SQLite file with 100,000 volunteers, Telegram replaced at the transport by a fake
that answers at once, or after 50 ms like a round trip to Telegram. An update counts as done
when the bot has answered it (the press answered and the chat shown something), wherever that
answer is sent from. Prints one JSON line:

- form_step_ratio, confirm_ratio: median time of one update (choosing the district; "Send
  request", which submits the request and makes its first offers) over the median time of a
  bare ORM transaction (insert, get, update, insert on a table of its own) run right before it
  on the same engine, 100 pairs each; before each pair the bot is let settle (the sender has
  sent and recorded what earlier updates queued). Targets <= 1.5 and <= 3.
- statements_form_step, statements_confirm: SQL statements per such update (median; see
  bench.common.StatementCounter for what counts).
- updates_per_s, updates_per_s_api_50ms: 200 seekers going through the whole form at once,
  answered updates over wall time; with every Bot API call taking 50 ms. Targets >= 300 and
  >= 90% of that. A phase stops feeding new updates after PHASE_SECONDS.
- locked_errors: "database is locked" errors logged in the whole run. Target 0.
"""

from __future__ import annotations

import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench.common import (
    COORDINATOR,
    TOKEN,
    FakeTelegram,
    Feeder,
    LockErrors,
    StatementCounter,
    Step,
    emit,
    form,
)
from bench.population import populate
from bot.app import App, close, create_app, start_background
from bot.config import Settings
from db.engine import create_engine
from db.migrate import upgrade
from db.models import OutboxMessage, OutboxStatus
from services.clock import Clock, SystemClock

VOLUNTEERS = 100_000
PAIRS = 100
CROWD = 200
PHASE_SECONDS = 10.0
API_DELAY = 0.05
TIMEOUT = 30.0
SETTLE = 0.02  # seconds: the sender's pass after an update (two short reads) is over by then
FORM_STEP, CONFIRM = 3, 7  # indexes in bench.common.form: the district, "Send request"


class ProbeBase(DeclarativeBase):
    pass


class Probe(ProbeBase):
    """The bare transaction's own small table."""

    __tablename__ = "bench_probe"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int]
    at: Mapped[datetime]


class BareTransaction:
    """Insert, get (another row: a real SELECT), update, insert, as an update's unit of work
    does with its processed-update row, its user and its state; timed."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self.last_probe = 1

    async def __call__(self) -> float:
        started = time.perf_counter()
        async with self.sessions() as s, s.begin():
            row = Probe(n=0, at=self.clock.now())
            s.add(row)
            await s.flush()
            previous = await s.get(Probe, self.last_probe)
            assert previous is not None
            previous.n += 1
            s.add(Probe(n=1, at=self.clock.now()))
        self.last_probe = row.id
        return time.perf_counter() - started


Feed = Callable[[int, Step], Awaitable[tuple[bool, float, int]]]


async def crowd(feed: Feed, forms: list[list[Step]], first_id: int) -> float:
    """len(forms) seekers through their forms at once, each update after the answer to the
    one before; answered updates over the wall time until the last answer. A seeker starts no
    new update after PHASE_SECONDS (the run stays bounded however slow)."""
    deadline = time.perf_counter() + PHASE_SECONDS

    async def seeker(user_id: int, steps: list[Step]) -> int:
        answered = 0
        for step in steps:
            if time.perf_counter() > deadline:
                break
            ok, _seconds, _statements = await feed(user_id, step)
            if not ok:
                break
            answered += 1
        return answered

    started = time.perf_counter()
    answered = await asyncio.gather(*(seeker(first_id + n, f) for n, f in enumerate(forms)))
    seconds = time.perf_counter() - started
    total = sum(len(f) for f in forms)
    print(f"crowd: {sum(answered)} of {total} updates in {seconds:.1f} s", file=sys.stderr)
    return sum(answered) / seconds


async def pairs(
    feed: Feed,
    bare: Callable[[], Awaitable[float]],
    quiet: Callable[[], Awaitable[None]],
    forms: list[list[Step]],
    first_id: int,
) -> dict[str, Any]:
    """Seekers one after another: first each up to the district, then each to the end.
    Before the district and before the confirm update, once `quiet` says the bot is done with
    earlier updates, a bare transaction is timed, then the update."""
    timed: dict[int, list[tuple[float, float, int]]] = {FORM_STEP: [], CONFIRM: []}
    for part in (range(FORM_STEP + 1), range(FORM_STEP + 1, CONFIRM + 1)):
        for n, steps in enumerate(forms):
            for i in part:
                if i in timed:
                    await quiet()
                    bare_s = await bare()
                ok, seconds, statements = await feed(first_id + n, steps[i])
                if not ok:
                    raise RuntimeError(f"seeker {first_id + n} failed at {steps[i]}")
                if i in timed:
                    timed[i].append((seconds, bare_s, statements))
    return ratios({"form_step": timed[FORM_STEP], "confirm": timed[CONFIRM]})


def ratios(timed: dict[str, list[tuple[float, float, int]]]) -> dict[str, Any]:
    """Per kind of update, from (update seconds, bare seconds, statements) pairs: the ratio of
    the medians and the median statement count."""
    out: dict[str, Any] = {}
    for name, pairs in timed.items():
        update_s, bare_s, counts = zip(*pairs, strict=True)
        out[f"{name}_ratio"] = round(statistics.median(update_s) / statistics.median(bare_s), 2)
        out[f"statements_{name}"] = statistics.median(counts)
        print(
            f"{name}: update {statistics.median(update_s) * 1000:.2f} ms, bare "
            f"{statistics.median(bare_s) * 1000:.2f} ms",
            file=sys.stderr,
        )
    return out


class Intake:
    def __init__(self, app: App, transport: FakeTelegram) -> None:
        self.app = app
        self.transport = transport
        self.feeder = Feeder()
        self.counter = StatementCounter(app.engine)
        self.rng = random.Random(20261121)
        self.bare = BareTransaction(app.sessions, app.clock)

    def seeker_form(self) -> list[Step]:
        areas = self.app.areas
        return form(self.rng.choice(list(areas.skills)), self.rng.choice(list(areas.districts)))

    async def feed(self, user_id: int, step: Step) -> tuple[bool, float, int]:
        """One update in, until the bot has answered it: (answered well, seconds, statements)."""
        raw, query_id = self.feeder.update(user_id, step)
        mark = self.transport.mark(user_id, query_id)
        with self.counter.counting() as statements:
            started = time.perf_counter()
            try:
                await self.app.dp.feed_raw_update(self.app.bot, raw)
            except Exception:  # the error handler itself failed: the update got no answer
                logging.exception("update %s raised", raw["update_id"])
                return False, 0.0, statements[0]
            ok = await self.transport.answer(mark, TIMEOUT)
            return ok, time.perf_counter() - started, statements[0]

    async def pairs(self, first_id: int) -> dict[str, Any]:
        forms = [self.seeker_form() for _ in range(PAIRS)]
        return await pairs(self.feed, self.bare, self.quiet, forms, first_id)

    async def crowd(self, first_id: int) -> float:
        """CROWD seekers through the whole form at once (see `crowd`)."""
        await self.drop_pending()
        return await crowd(self.feed, [self.seeker_form() for _ in range(CROWD)], first_id)

    async def quiet(self) -> None:
        """Wait (a few seconds at most) until the sender has sent and recorded what earlier
        updates queued, and then SETTLE more for the pass each update wakes it for, so that
        neither half of a timed pair shares the connection with it."""
        for _ in range(500):
            async with self.app.sessions() as s:
                query = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
                if not await s.scalar(query):
                    break
            await asyncio.sleep(0.01)
        await asyncio.sleep(SETTLE)

    async def drop_pending(self) -> None:
        """Offers of an earlier phase still waiting to go out would slow the next phase."""
        async with self.app.sessions() as s, s.begin():
            pending = OutboxMessage.status == OutboxStatus.PENDING
            await s.execute(
                update(OutboxMessage).where(pending).values(status=OutboxStatus.CANCELLED)
            )


async def prepare(db_url: str) -> None:
    engine = create_engine(db_url)
    await upgrade(engine)
    started = time.perf_counter()
    await populate(engine, VOLUNTEERS, seed=20261121, now=SystemClock().now())
    async with engine.begin() as conn:
        await conn.run_sync(ProbeBase.metadata.create_all)
    async with async_sessionmaker(engine)() as s, s.begin():
        s.add(Probe(id=1, n=0, at=SystemClock().now()))
    await engine.dispose()
    print(f"setup {time.perf_counter() - started:.1f} s", file=sys.stderr)


async def bench(db_file: Path) -> dict[str, Any]:
    db_url = f"sqlite+aiosqlite:///{db_file}"
    await prepare(db_url)
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=db_url,
        coordinators=(COORDINATOR,),
        # What the bot itself can do: the fake Telegram has no flood limits, so neither does
        # the pacer here (30 messages/s overall would cap the rate at 30 answered updates/s,
        # 1/s per chat would make every step of a fast tapper wait a second), and the bench's
        # seekers tap faster than any person, so the flood guard stays out of the way.
        send_rate_global=1e6,
        send_rate_per_chat=1e6,
        send_rate_group_per_minute=1e6,
        flood_burst=1000,
        privacy_notice=False,  # the bench's seekers never meet the notice
    )
    transport = FakeTelegram()
    bot = Bot(TOKEN, session=transport, default=DefaultBotProperties(parse_mode="HTML"))
    errors = LockErrors()
    logging.getLogger().addHandler(errors)
    app = await create_app(settings, bot=bot)
    try:
        await start_background(app)
        intake = Intake(app, transport)
        t0 = time.perf_counter()
        pairs = await intake.pairs(first_id=10_000_000)
        print(f"pairs {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        per_s = await intake.crowd(first_id=20_000_000)
        transport.delay = API_DELAY
        per_s_slow_api = await intake.crowd(first_id=30_000_000)
    finally:
        try:
            await close(app)
        except Exception:  # a background task died during the run: count what killed it
            logging.exception("a background task of the app failed")
            await app.engine.dispose()
    print(f"errors logged: {dict(errors.messages)}", file=sys.stderr)
    keys = ("form_step_ratio", "confirm_ratio", "statements_form_step", "statements_confirm")
    return {k: pairs[k] for k in keys} | {
        "updates_per_s": round(per_s, 1),
        "updates_per_s_api_50ms": round(per_s_slow_api, 1),
        "locked_errors": errors.locked,
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lotse-bench-") as tmp:
        emit(asyncio.run(bench(Path(tmp) / "intake.db")))


if __name__ == "__main__":
    main()
