"""/stats and /export over one year of a busy agency: 20,000 requests, 2,000 volunteers, 40,000
offers and 100,000 request events on SQLite, bulk inserted. `stats_ms`: the figures of the year
(services.stats.statistics); `export_ms`: the rows, figures and activity read and the workbook
and CSV written, as /export does. Medians of three runs. Targets: stats < 1 s, export < 5 s."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics as stat
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram.utils.i18n import I18n

from bench.population import SEEKERS, bulk, request_row, volunteer_rows
from bot.areas import load_areas
from bot.config import DEFAULT_AREAS_FILE
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import HelpRequest, Offer, RequestEvent, User, Volunteer
from handlers.views.reports import requests_csv, workbook
from matching.stats import Period
from matching.status import OfferStatus, RequestStatus
from services.events import EventKind
from services.rules import Rules
from services.stats import activity, request_rows, statistics

YEAR = Period(date(2025, 1, 1), date(2026, 1, 1))
START = datetime(2025, 1, 1, tzinfo=UTC)
KEY = b"bench-pseudonym-key"
LOCALES = Path(__file__).resolve().parent.parent / "locales"
TAKEN = (RequestStatus.ASSIGNED, RequestStatus.DONE)


def _event(request_id: int, at: datetime, kind: EventKind) -> dict[str, Any]:
    return {"request_id": request_id, "at": at, "kind": kind.value, "actor_id": None, "data": {}}


def _offer(
    rid: int, uid: int, at: datetime, status: OfferStatus, answered: datetime
) -> dict[str, Any]:
    return {
        "request_id": rid,
        "volunteer_id": uid,
        "status": status,
        "tier": 0,
        "round": 0,
        "outbox_id": None,
        "created_at": at,
        "answered_at": answered,
    }


def year_rows(
    rng: random.Random, volunteers: list[int], n_requests: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Each request: created, two offers, each answered (accepted if the request was taken,
    else declined): five events a request."""
    requests, offers, events = [], [], []
    for rid in range(1, n_requests + 1):
        created = START + timedelta(minutes=rng.randint(0, 365 * 24 * 60 - 2_000))
        status = rng.choice(list(RequestStatus))
        two = rng.sample(volunteers, 2)
        assignee = two[1] if status in TAKEN else None
        requests.append(
            request_row(
                rng,
                rid,
                status,
                created,
                created_at=created,
                updated_at=created,
                assignee_id=assignee,
                tier=rng.choice((0, 0, 0, 1, 2)),
            )
        )
        events.append(_event(rid, created, EventKind.CREATED))
        at = created
        for uid in two:
            at += timedelta(minutes=rng.randint(1, 600))
            answered = at + timedelta(minutes=rng.randint(1, 600))
            accepted = uid == assignee
            status_of = OfferStatus.ACCEPTED if accepted else OfferStatus.DECLINED
            offers.append(_offer(rid, uid, at, status_of, answered))
            events.append(_event(rid, at, EventKind.OFFERED))
            kind = EventKind.ACCEPTED if accepted else EventKind.DECLINED
            events.append(_event(rid, answered, kind))
    return requests, offers, events


async def populate(engine: Any, n_requests: int, n_volunteers: int, seed: int) -> int:
    rng = random.Random(seed)
    people = volunteer_rows(rng, n_volunteers, datetime(2025, 12, 31, tzinfo=UTC))
    ids = [row["user_id"] for row in people["volunteers"]]
    requests, offers, events = year_rows(rng, ids, n_requests)
    seekers = [
        {"id": i, "first_name": "s", "reachable": True, "created_at": START} for i in range(SEEKERS)
    ]
    async with engine.begin() as conn:
        await bulk(conn, User, seekers + people["users"])
        await bulk(conn, Volunteer, people["volunteers"])
        await bulk(conn, HelpRequest, requests)
        await bulk(conn, Offer, offers)
        await bulk(conn, RequestEvent, events)
    return len(events)


async def _export(sessions: Any, tz: Any) -> bytes:
    areas = load_areas(DEFAULT_AREAS_FILE)
    async with sessions() as session:
        rows = await request_rows(session, period=YEAR, tz=tz)
        figures = await statistics(session, period=YEAR, tz=tz, rows=rows)
        people = await activity(session, period=YEAR, tz=tz, key=KEY)
    book = workbook(figures, rows, people, areas, tz)
    requests_csv(rows, areas, tz)
    return book


async def bench(
    db_file: Path, n_requests: int, n_volunteers: int, runs: int, seed: int
) -> dict[str, Any]:
    engine = create_engine(f"sqlite+aiosqlite:///{db_file}")
    await upgrade(engine)
    events = await populate(engine, n_requests, n_volunteers, seed)
    sessions, tz = create_session_factory(engine), Rules().tz
    stats_ms, export_ms, size = [], [], 0
    i18n = I18n(path=LOCALES, default_locale="en")
    with i18n.context(), i18n.use_locale("en"):
        for _ in range(runs):
            started = time.perf_counter()
            async with sessions() as session:
                figures = await statistics(session, period=YEAR, tz=tz)
            stats_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            size = len(await _export(sessions, tz))
            export_ms.append((time.perf_counter() - started) * 1000)
    await engine.dispose()
    assert figures.total == n_requests, figures.total
    return {
        "stats_ms": round(stat.median(stats_ms), 1),
        "export_ms": round(stat.median(export_ms), 1),
        "xlsx_bytes": size,
        "requests": n_requests,
        "volunteers": n_volunteers,
        "events": events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--volunteers", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(
            bench(Path(tmp) / "stats.db", args.requests, args.volunteers, args.runs, args.seed)
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
