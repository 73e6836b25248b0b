"""Matching benchmark: the candidate query over 100,000 volunteers.

Run: .venv/bin/python -m bench.candidates [--volunteers N] [--runs R] [--db PATH] [--lotsen]
Builds a SQLite file (in a temporary directory unless --db is given) with the migrations applied
and a seeded random population: volunteers over Köln's nine districts and ten skills, about 90%
approved, some paused, some with quiet hours, an offer history of half an offer per volunteer
over the last ten days, and some assigned requests. Then times `find_candidates` (k=3, or every
Lotse with --lotsen) for random requests after a warm-up, and prints one JSON line:
{"p50_ms": ..., "p95_ms": ..., "volunteers": ..., "runs": ...}. Target: p95 < 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.population import NOW, populate
from db.candidates import find_candidates
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from matching.clock import local_now
from services.offering import LOTSEN_MAX
from services.rules import Rules

WARMUP = 20


async def bench(db_file: Path, n: int, runs: int, seed: int, lotsen: bool) -> dict[str, Any]:
    engine = create_engine(f"sqlite+aiosqlite:///{db_file}")
    await upgrade(engine)
    started = time.perf_counter()
    specs = await populate(engine, n, seed)
    print(f"setup {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rules, sessions = Rules(), create_session_factory(engine)
    now = local_now(NOW, rules.tz)
    timings, cpu, found = [], [], 0
    async with sessions() as s:
        for i in range(WARMUP + runs):
            spec = specs[i % len(specs)]
            t0, c0 = time.perf_counter(), time.process_time()
            got = await find_candidates(
                s,
                spec,
                now,
                tz=rules.tz,
                limit=LOTSEN_MAX if lotsen else 3,
                default_cap=rules.default_daily_cap,
                lotsen_only=lotsen,
            )
            if i >= WARMUP:
                timings.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                found += len(got)
    await engine.dispose()
    # CPU time (this process, SQLite's thread included) tells a slow query from a busy machine.
    print(
        f"candidates per request {found / runs:.2f}; cpu p50 {statistics.median(cpu):.2f} ms",
        file=sys.stderr,
    )
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(statistics.quantiles(timings, n=20)[-1], 2),
        "volunteers": n,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--db", type=Path, help="SQLite file to build (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--lotsen", action="store_true", help="time the Lotsen query instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_file = args.db or Path(tmp) / "candidates.db"
        if db_file.exists():
            sys.exit(f"{db_file} exists; give a new path")
        result = asyncio.run(bench(db_file, args.volunteers, args.runs, args.seed, args.lotsen))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
