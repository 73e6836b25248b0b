"""Matching benchmark: the candidate query over 100,000 volunteers.

Run: .venv/bin/python bench/matching.py [--volunteers N] [--runs R] [--db PATH] [--lotsen]
Builds a SQLite file (in a temporary directory unless --db is given) with the migrations applied
and a seeded random population: volunteers over Köln's nine districts and ten skills, about 90%
approved, some paused, some with quiet hours, an offer history of half an offer per volunteer
over the last ten days, and some assigned requests. Then times `find_candidates` (k=3, or every
Lotse with --lotsen) for random requests after a warm-up, and prints one JSON line:
{"p50_ms": ..., "p95_ms": ..., "volunteers": ..., "runs": ...}. Target: p95 < 10 ms.
"""

# ruff: noqa: E402  (the project's imports must follow the sys.path fix below)
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and the file, named like the
# `matching` package, would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.candidates import find_candidates
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import (
    HelpRequest,
    Offer,
    OfferStatus,
    RequestStatus,
    User,
    Volunteer,
    VolunteerDistrict,
    VolunteerLanguage,
    VolunteerSkill,
    VolunteerStatus,
    WhenKind,
)
from db.reach import rebuild_reach
from matching.escalation import Policy
from matching.model import RequestSpec
from services.clock import local_now
from services.offering import LOTSEN_MAX
from services.rules import Rules

DISTRICTS = (
    "innenstadt",
    "rodenkirchen",
    "lindenthal",
    "ehrenfeld",
    "nippes",
    "chorweiler",
    "porz",
    "kalk",
    "muelheim",
)
SKILLS = (
    "offices",
    "school",
    "furniture",
    "interpreting",
    "german",
    "homework",
    "children",
    "events",
    "bazaar",
    "other",
)
LANGUAGES = ("de", "en", "ar", "uk", "ru", "fa", "tr")
# A Saturday morning in Köln, as in the tests.
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
FIRST_VOLUNTEER = 5_000_000_000
SEEKERS = 2_000
WARMUP = 20
CHUNK = 20_000


def chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


async def bulk(conn: AsyncConnection, model: Any, rows: list[dict[str, Any]]) -> None:
    for part in chunks(rows):
        await conn.execute(insert(model.__table__), part)


def volunteer_rows(rng: random.Random, n: int) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {
        "users": [],
        "volunteers": [],
        "skills": [],
        "districts": [],
        "languages": [],
    }
    today = local_now(NOW, Rules().tz).local_date
    for i in range(n):
        uid = FIRST_VOLUNTEER + i * 7
        paused = rng.random() < 0.08
        quiet = rng.random() < 0.3
        start = rng.choice((21, 22, 23)) * 60 if quiet else None
        rows["users"].append(
            {"id": uid, "first_name": f"v{i}", "reachable": rng.random() < 0.97, "created_at": NOW}
        )
        rows["volunteers"].append(
            {
                "user_id": uid,
                "status": VolunteerStatus.APPROVED
                if rng.random() < 0.9
                else rng.choice([VolunteerStatus.PENDING, VolunteerStatus.REJECTED]),
                "is_lotse": rng.random() < 0.05,
                "paused": paused,
                "paused_until": today + timedelta(days=rng.randint(-3, 10)) if paused else None,
                "quiet_start": start,
                "quiet_end": rng.choice((6, 7, 8)) * 60 if quiet else None,
                "daily_cap": rng.choice((None, None, None, 1, 2, 3)),
                "last_offer_at": None,
                "created_at": NOW - timedelta(days=rng.randint(10, 700)),
            }
        )
        for skill in rng.sample(SKILLS, rng.randint(1, 3)):
            rows["skills"].append({"user_id": uid, "skill": skill})
        for district in rng.sample(DISTRICTS, rng.randint(1, 2)):
            rows["districts"].append({"user_id": uid, "district": district})
        for language in rng.sample(LANGUAGES, rng.randint(1, 3)):
            rows["languages"].append({"user_id": uid, "language": language})
    return rows


def request_row(rng: random.Random, rid: int, status: RequestStatus, **kw: Any) -> dict[str, Any]:
    created = NOW - timedelta(minutes=rng.randint(0, 10 * 24 * 60))
    return {
        "id": rid,
        "ref": f"B{rid:07d}",
        "seeker_id": rng.randrange(SEEKERS),
        "skill": rng.choice(SKILLS),
        "district": rng.choice(DISTRICTS),
        "when_kind": WhenKind.WEEK,
        "when_date": None,
        "description": "bench",
        "language": rng.choice(LANGUAGES),
        "consent": True,
        "urgent": False,
        "status": status,
        "assignee_id": None,
        "policy": Policy().to_dict(),
        "tier": 0,
        "step": 0,
        "next_step_at": None,
        "steps_run": 1,
        "close_reason": None,
        "created_at": created,
        "updated_at": created,
    } | kw


def history_rows(
    rng: random.Random, volunteers: list[int], n_offers: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, datetime]]:
    """Requests (open, assigned, done) and offers spread over the last ten days."""
    requests, offers, last = [], [], {}
    statuses = [RequestStatus.OPEN, RequestStatus.ASSIGNED, RequestStatus.DONE]
    n_requests = max(1, n_offers // 3)
    for rid in range(1, n_requests + 1):
        status = rng.choice(statuses)
        assignee = rng.choice(volunteers) if status is not RequestStatus.OPEN else None
        requests.append(request_row(rng, rid, status, assignee_id=assignee))
    for rid in range(1, n_requests + 1):
        for uid in rng.sample(volunteers, 3):
            if len(offers) == n_offers:
                break
            at = NOW - timedelta(seconds=rng.randint(0, 10 * 24 * 3600))
            offers.append(
                {
                    "request_id": rid,
                    "volunteer_id": uid,
                    "status": rng.choice(list(OfferStatus)),
                    "tier": 0,
                    "round": 0,
                    "outbox_id": None,
                    "created_at": at,
                    "answered_at": None,
                }
            )
            last[uid] = max(at, last.get(uid, at))
    return requests, offers, last


async def populate(engine: AsyncEngine, n: int, seed: int) -> list[RequestSpec]:
    rng = random.Random(seed)
    people = volunteer_rows(rng, n)
    ids = [row["user_id"] for row in people["volunteers"]]
    requests, offers, last = history_rows(rng, ids, n // 2)
    for row in people["volunteers"]:
        row["last_offer_at"] = last.get(row["user_id"])
    seekers = [
        {"id": i, "first_name": "s", "reachable": True, "created_at": NOW} for i in range(SEEKERS)
    ]
    async with engine.begin() as conn:
        await bulk(conn, User, seekers + people["users"])
        await bulk(conn, Volunteer, people["volunteers"])
        await bulk(conn, VolunteerSkill, people["skills"])
        await bulk(conn, VolunteerDistrict, people["districts"])
        await bulk(conn, VolunteerLanguage, people["languages"])
        await bulk(conn, HelpRequest, requests)
        await bulk(conn, Offer, offers)
    async with create_session_factory(engine)() as session, session.begin():
        await rebuild_reach(session)
    # The requests to match: open ones from the history, some offered already.
    open_ = [r for r in requests if r["status"] is RequestStatus.OPEN]
    return [
        RequestSpec(r["id"], r["skill"], r["district"], r["language"])
        for r in rng.sample(open_, min(len(open_), 400))
    ]


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
        db_file = args.db or Path(tmp) / "matching.db"
        if db_file.exists():
            sys.exit(f"{db_file} exists; give a new path")
        result = asyncio.run(bench(db_file, args.volunteers, args.runs, args.seed, args.lotsen))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
