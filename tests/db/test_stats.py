"""The statistics of a generated month against figures worked out by hand from its plan."""

from __future__ import annotations

from collections import Counter
from statistics import median

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.stats import request_rows, statistics
from tests.month import (
    LATE_ACCEPTOR,
    LOTSEN,
    NEW_VOLUNTEERS,
    OCTOBER,
    TAKEN,
    TZ,
    Planned,
    active_in_october,
    generate,
    offers_in_october,
)


def _counts(planned: list[Planned], field: str) -> dict[str, int]:
    return dict(Counter(getattr(p, field) for p in planned))


async def test_the_figures_match_the_hand_count_when_a_month_is_generated(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        month = await generate(s)
    async with sessions() as s:
        stats = await statistics(s, period=OCTOBER, tz=TZ)
    planned = month.requests
    total = len(planned)
    assert stats.total == total == 40
    assert stats.by_topic == _counts(planned, "skill")
    assert stats.by_district == _counts(planned, "district")
    assert stats.by_language == _counts(planned, "language")
    assert stats.taken_share == sum(p.status in TAKEN for p in planned) / total
    assert stats.median_to_first_offer == median(p.offered[0] for p in planned if p.offered)
    assert stats.median_to_acceptance == median(p.accepted for p in planned if p.accepted)
    assert stats.lotsen_share == sum(p.tier >= 1 for p in planned) / total
    assert stats.coordinators_share == sum(p.tier == 2 for p in planned) / total
    assert stats.active_volunteers == len(active_in_october(planned))
    assert LATE_ACCEPTOR not in offers_in_october(planned)
    assert stats.lotsen == len(LOTSEN)
    assert stats.new_volunteers == len(NEW_VOLUNTEERS)
    assert sum(sum(week.values()) for week in stats.weeks.values()) == total
    assert (stats.attended, stats.attendance_marked) == (0, 0)


async def test_the_rows_are_the_months_requests_in_order_when_a_month_is_generated(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        month = await generate(s)
    async with sessions() as s:
        rows = await request_rows(s, period=OCTOBER, tz=TZ)
    assert [(r.skill, r.district, r.language, r.status, r.tier) for r in rows] == [
        (p.skill, p.district, p.language, p.status, p.tier) for p in month.requests
    ]
    assert [r.to_first_offer for r in rows] == [
        p.offered[0] if p.offered else None for p in month.requests
    ]
    assert [r.to_acceptance for r in rows] == [p.accepted for p in month.requests]
