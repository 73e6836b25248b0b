"""Volunteers in bulk for the benchmarks: 100,000 seeded at random like a city's pool, or a
small pool where every volunteer fits exactly one (skill, district)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.engine import create_session_factory
from db.models import (
    HelpRequest,
    Offer,
    User,
    Volunteer,
    VolunteerDistrict,
    VolunteerLanguage,
    VolunteerSkill,
)
from db.reach import rebuild_reach
from matching.clock import local_now
from matching.escalation import Policy
from matching.model import RequestSpec
from matching.status import OfferStatus, RequestStatus, VolunteerStatus, WhenKind
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
SEEKERS = 2_000  # user ids 0..1999 own the requests of the offer history
CHUNK = 20_000


def chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


async def bulk(conn: AsyncConnection, model: Any, rows: list[dict[str, Any]]) -> None:
    for part in chunks(rows):
        await conn.execute(insert(model.__table__), part)


def volunteer_rows(rng: random.Random, n: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {
        "users": [],
        "volunteers": [],
        "skills": [],
        "districts": [],
        "languages": [],
    }
    today = local_now(now, Rules().tz).local_date
    for i in range(n):
        uid = FIRST_VOLUNTEER + i * 7
        paused = rng.random() < 0.08
        quiet = rng.random() < 0.3
        start = rng.choice((21, 22, 23)) * 60 if quiet else None
        rows["users"].append(
            {"id": uid, "first_name": f"v{i}", "reachable": rng.random() < 0.97, "created_at": now}
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
                "created_at": now - timedelta(days=rng.randint(10, 700)),
            }
        )
        for skill in rng.sample(SKILLS, rng.randint(1, 3)):
            rows["skills"].append({"user_id": uid, "skill": skill})
        for district in rng.sample(DISTRICTS, rng.randint(1, 2)):
            rows["districts"].append({"user_id": uid, "district": district})
        for language in rng.sample(LANGUAGES, rng.randint(1, 3)):
            rows["languages"].append({"user_id": uid, "language": language})
    return rows


def request_row(
    rng: random.Random, rid: int, status: RequestStatus, now: datetime, **kw: Any
) -> dict[str, Any]:
    created = now - timedelta(minutes=rng.randint(0, 10 * 24 * 60))
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
    rng: random.Random, volunteers: list[int], n_offers: int, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, datetime]]:
    """Requests (open, assigned, done) and offers spread over the last ten days."""
    requests: list[dict[str, Any]] = []
    offers: list[dict[str, Any]] = []
    last: dict[int, datetime] = {}
    statuses = [RequestStatus.OPEN, RequestStatus.ASSIGNED, RequestStatus.DONE]
    n_requests = max(1, n_offers // 3)
    for rid in range(1, n_requests + 1):
        status = rng.choice(statuses)
        assignee = rng.choice(volunteers) if status is not RequestStatus.OPEN else None
        requests.append(request_row(rng, rid, status, now, assignee_id=assignee))
    for rid in range(1, n_requests + 1):
        for uid in rng.sample(volunteers, 3):
            if len(offers) == n_offers:
                break
            at = now - timedelta(seconds=rng.randint(0, 10 * 24 * 3600))
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


async def populate(
    engine: AsyncEngine, n: int, seed: int, now: datetime = NOW
) -> list[RequestSpec]:
    """`n` volunteers, about 90% approved, some paused, some with quiet hours, an offer history
    of half an offer per volunteer over the ten days before `now`, and some assigned requests.
    Returns open requests of that history to match (some offered already)."""
    rng = random.Random(seed)
    people = volunteer_rows(rng, n, now)
    ids = [row["user_id"] for row in people["volunteers"]]
    requests, offers, last = history_rows(rng, ids, n // 2, now)
    for row in people["volunteers"]:
        row["last_offer_at"] = last.get(row["user_id"])
    seekers = [
        {"id": i, "first_name": "s", "reachable": True, "created_at": now} for i in range(SEEKERS)
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
    open_ = [r for r in requests if r["status"] is RequestStatus.OPEN]
    return [
        RequestSpec(r["id"], r["skill"], r["district"], r["language"])
        for r in rng.sample(open_, min(len(open_), 400))
    ]


async def add_pool(
    engine: AsyncEngine, volunteers: Iterable[tuple[int, str, str]], now: datetime
) -> None:
    """Approved volunteers, each offering one skill in one district, speaking German and
    English, with no quiet hours: (user id, skill, district)."""
    rows: dict[Any, list[dict[str, Any]]] = {
        User: [],
        Volunteer: [],
        VolunteerSkill: [],
        VolunteerDistrict: [],
        VolunteerLanguage: [],
    }
    for uid, skill, district in volunteers:
        rows[User].append(
            {"id": uid, "first_name": f"v{uid}", "language_code": "de", "created_at": now}
        )
        rows[Volunteer].append(
            {"user_id": uid, "status": VolunteerStatus.APPROVED, "created_at": now}
        )
        rows[VolunteerSkill].append({"user_id": uid, "skill": skill})
        rows[VolunteerDistrict].append({"user_id": uid, "district": district})
        rows[VolunteerLanguage] += [{"user_id": uid, "language": lang} for lang in ("de", "en")]
    async with engine.begin() as conn:
        for model, part in rows.items():
            await bulk(conn, model, part)
    async with create_session_factory(engine)() as session, session.begin():
        await rebuild_reach(session)
