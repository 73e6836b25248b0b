"""Answer latency with several bot processes: two real bot processes in webhook mode on one
PostgreSQL database behind a round-robin proxy, against the Bot API emulator with Telegram's
limits. One process is the outbox sender (it sends its own updates' answers at once); the other
stands by, writes its answers to the outbox and wakes the sender with NOTIFY.

Run: LOTSE_TEST_POSTGRES_PORT=55446 .ci/with-postgres .venv/bin/python -m bench.several
(about 30 s). 60 people each send /start, one after the other, 0.1 s apart; the latency is
from the update being queued at the emulator to the answer arriving there (the webhook post,
the proxy, the transaction, the send). Prints one JSON line: answer_ms_sender and
answer_ms_standby (median and 90th percentile of the updates each process handled) and
standby_ratio (standby median over sender median, measured in the same run). Target: a
standby median under 100 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.emulator import run_emulator
from tests.e2e.processes import bot_process
from tests.e2e.several import free_port, round_robin, until_sender

PEOPLE = 60
GAP = 0.1


def settings_for(proxy: int, port: int) -> dict[str, str]:
    return {
        "LOTSE_MODE": "webhook",
        "LOTSE_WEBHOOK_BASE_URL": f"http://127.0.0.1:{proxy}",
        "LOTSE_WEBHOOK_SECRET": "bench-secret",
        "LOTSE_WEBHOOK_HOST": "127.0.0.1",
        "LOTSE_WEBHOOK_PORT": str(port),
        "LOTSE_SEND_IDLE_POLL_SECONDS": "5",  # as deployed: only a wake makes the sender look
    }


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return {"median": round(statistics.median(ordered), 1), "p90": round(p90, 1)}


async def measure(db_url: str, workdir: Path) -> dict[str, object]:
    ports = (free_port(), free_port())
    served: list[int] = []
    latency: dict[int, list[float]] = {ports[0]: [], ports[1]: []}
    log = workdir / "bot.log"
    async with run_emulator(rate_limits=True) as emu, round_robin(ports, served) as proxy:
        first = bot_process(emu, db_url, workdir, log, **settings_for(proxy, ports[0]))
        second = bot_process(emu, db_url, workdir, log, **settings_for(proxy, ports[1]))
        async with first:
            await until_sender(ports[0], "running", timeout=60)
            async with second:
                await until_sender(ports[1], "standby", timeout=60)
                for n in range(PEOPLE):
                    user = 50_000 + n
                    emu.add_user(user, f"p{n}", language_code="de")
                    start = time.perf_counter()
                    await emu.user_sends(user, "/start")
                    await emu.wait_for_message(user, timeout=30)
                    latency[served[-1]].append((time.perf_counter() - start) * 1000)
                    # Apart by more than the pacer's spacing of new messages (1/30 s), which
                    # would otherwise be what is measured.
                    await asyncio.sleep(GAP)
    sender, standby = summary(latency[ports[0]]), summary(latency[ports[1]])
    return {
        "bench": "several",
        "answers": PEOPLE,
        "answer_ms_sender": sender,
        "answer_ms_standby": standby,
        "standby_ratio": round(standby["median"] / sender["median"], 2),
        "http_429": emu.stats.http_429,
    }


async def main() -> None:
    server = os.environ.get("LOTSE_TEST_POSTGRES_URL")
    if not server:
        sys.exit("run it under .ci/with-postgres (LOTSE_TEST_POSTGRES_URL)")
    with tempfile.TemporaryDirectory() as workdir:
        print(json.dumps(await measure(server, Path(workdir))))


if __name__ == "__main__":
    asyncio.run(main())
