"""The hard filters and the ranking of matching/eligibility.py, as tables of cases."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from matching.eligibility import in_quiet_hours, ineligibility, pick, rank_key
from matching.model import Ineligible, LocalNow, RequestSpec, VolunteerState

TODAY = date(2026, 11, 21)
# 10:00 local time.
NOW = LocalNow(utc=datetime(2026, 11, 21, 9, 0, tzinfo=UTC), local_date=TODAY, minute_of_day=600)
REQUEST = RequestSpec(id=7, skill="furniture", district="ehrenfeld", language="ar")
DEFAULT_CAP = 5

BASE = VolunteerState(
    user_id=1001,
    approved=True,
    reachable=True,
    skills=frozenset({"furniture", "school"}),
    districts=frozenset({"ehrenfeld", "nippes"}),
    languages=frozenset({"de", "ar"}),
)


def volunteer(**changes: Any) -> VolunteerState:
    return replace(BASE, **changes)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, None, id="eligible"),
        pytest.param({"approved": False}, Ineligible.NOT_APPROVED, id="not-approved"),
        pytest.param({"reachable": False}, Ineligible.UNREACHABLE, id="unreachable"),
        pytest.param({"paused": True}, Ineligible.PAUSED, id="paused-indefinitely"),
        pytest.param(
            {"paused": True, "paused_until": TODAY - timedelta(days=1)}, None, id="pause-ended"
        ),
        pytest.param(
            {"paused": True, "paused_until": TODAY}, Ineligible.PAUSED, id="paused-until-today"
        ),
        pytest.param(
            {"paused": True, "paused_until": TODAY + timedelta(days=3)},
            Ineligible.PAUSED,
            id="paused-until-future",
        ),
        pytest.param({"skills": frozenset({"school"})}, Ineligible.SKILL, id="other-skill"),
        pytest.param({"districts": frozenset({"porz"})}, Ineligible.DISTRICT, id="other-district"),
        pytest.param({"already_asked": True}, Ineligible.ALREADY_ASKED, id="already-asked"),
        pytest.param(
            {"quiet_start": 9 * 60, "quiet_end": 11 * 60}, Ineligible.QUIET_HOURS, id="quiet-now"
        ),
        pytest.param({"quiet_start": 22 * 60, "quiet_end": 7 * 60}, None, id="quiet-at-night"),
        pytest.param({"offers_today": DEFAULT_CAP - 1}, None, id="under-default-cap"),
        pytest.param({"offers_today": DEFAULT_CAP}, Ineligible.DAILY_CAP, id="at-default-cap"),
        pytest.param({"offers_today": 7, "daily_cap": 8}, None, id="own-cap-above-default"),
        pytest.param(
            {"offers_today": 1, "daily_cap": 1}, Ineligible.DAILY_CAP, id="own-cap-below-default"
        ),
        pytest.param({"daily_cap": 0}, Ineligible.DAILY_CAP, id="own-cap-zero"),
        pytest.param(
            {"approved": False, "reachable": False, "skills": frozenset()},
            Ineligible.NOT_APPROVED,
            id="first-failing-filter-wins",
        ),
    ],
)
def test_ineligibility_names_the_first_failing_filter_when_volunteer_differs(
    changes: dict[str, object], expected: Ineligible | None
) -> None:
    assert ineligibility(volunteer(**changes), REQUEST, NOW, default_cap=DEFAULT_CAP) is expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"districts": frozenset({"porz"})}, None, id="other-district"),
        pytest.param({"districts": frozenset()}, None, id="no-district"),
        pytest.param({"skills": frozenset({"school"})}, Ineligible.SKILL, id="skill-still-needed"),
        pytest.param({"paused": True}, Ineligible.PAUSED, id="pause-still-counts"),
        pytest.param({"is_lotse": False}, Ineligible.NOT_LOTSE, id="lotsen-only"),
    ],
)
def test_district_is_ignored_but_only_lotsen_qualify_when_asking_the_lotsen_pool(
    changes: dict[str, object], expected: Ineligible | None
) -> None:
    v = volunteer(**{"is_lotse": True, **changes})
    assert ineligibility(v, REQUEST, NOW, default_cap=DEFAULT_CAP, lotsen=True) is expected


def hm(hours: int, minutes: int = 0) -> int:
    return hours * 60 + minutes


@pytest.mark.parametrize(
    ("start", "end", "minute", "expected"),
    [
        pytest.param(None, None, hm(3), False, id="no-window"),
        pytest.param(hm(22), None, hm(23), False, id="start-only"),
        pytest.param(None, hm(7), hm(3), False, id="end-only"),
        pytest.param(hm(8), hm(8), hm(8), False, id="empty-window"),
        pytest.param(hm(13), hm(15), hm(12, 59), False, id="day-before-start"),
        pytest.param(hm(13), hm(15), hm(13), True, id="day-start-inclusive"),
        pytest.param(hm(13), hm(15), hm(14, 59), True, id="day-last-minute"),
        pytest.param(hm(13), hm(15), hm(15), False, id="day-end-exclusive"),
        pytest.param(hm(22), hm(7), hm(21, 59), False, id="wrap-before-start"),
        pytest.param(hm(22), hm(7), hm(22), True, id="wrap-start-inclusive"),
        pytest.param(hm(22), hm(7), hm(23, 59), True, id="wrap-before-midnight"),
        pytest.param(hm(22), hm(7), 0, True, id="wrap-midnight"),
        pytest.param(hm(22), hm(7), hm(6, 59), True, id="wrap-last-minute"),
        pytest.param(hm(22), hm(7), hm(7), False, id="wrap-end-exclusive"),
        pytest.param(hm(22), hm(7), hm(12), False, id="wrap-midday"),
        pytest.param(hm(23), 0, hm(23, 30), True, id="until-midnight"),
        pytest.param(hm(23), 0, 0, False, id="until-midnight-ends-at-midnight"),
        pytest.param(0, hm(6), 0, True, id="from-midnight"),
    ],
)
def test_quiet_hours_hold_when_minute_is_inside_the_window(
    start: int | None, end: int | None, minute: int, expected: bool
) -> None:
    assert in_quiet_hours(start, end, minute) is expected


def order(volunteers: list[VolunteerState], request: RequestSpec = REQUEST) -> list[int]:
    ranked = pick(volunteers, request, NOW, limit=len(volunteers), default_cap=DEFAULT_CAP)
    return [v.user_id for v in ranked]


YESTERDAY = NOW.utc - timedelta(days=1)
LAST_WEEK = NOW.utc - timedelta(days=6)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            {"offers_last_7d": 4, "open_assignments": 2, "last_offer_at": YESTERDAY},
            {"languages": frozenset({"de"})},
            id="language-beats-fairness",
        ),
        pytest.param(
            {"offers_last_7d": 1, "open_assignments": 3, "last_offer_at": YESTERDAY},
            {"offers_last_7d": 2},
            id="fewer-offers-beat-fewer-assignments",
        ),
        pytest.param(
            {"open_assignments": 0, "last_offer_at": YESTERDAY},
            {"open_assignments": 1, "last_offer_at": LAST_WEEK},
            id="fewer-assignments-beat-longer-wait",
        ),
        pytest.param(
            {"last_offer_at": LAST_WEEK}, {"last_offer_at": YESTERDAY}, id="longer-wait-first"
        ),
        pytest.param({"last_offer_at": None}, {"last_offer_at": LAST_WEEK}, id="never-offered"),
    ],
)
def test_first_ranks_before_second_when_it_wins_an_earlier_criterion(
    first: dict[str, object], second: dict[str, object]
) -> None:
    a = volunteer(user_id=1, **first)
    b = volunteer(user_id=2, **second)
    assert order([b, a]) == [1, 2]
    assert order([a, b]) == [1, 2]
    assert rank_key(a, REQUEST) < rank_key(b, REQUEST)


def test_pick_keeps_the_best_eligible_when_limit_is_smaller_than_the_pool() -> None:
    pool = [
        volunteer(user_id=1, approved=False),
        volunteer(user_id=2, offers_last_7d=3),
        volunteer(user_id=3, languages=frozenset({"de"})),
        volunteer(user_id=4, offers_last_7d=1),
        volunteer(user_id=5, already_asked=True),
    ]
    ranked = pick(pool, REQUEST, NOW, limit=2, default_cap=DEFAULT_CAP)
    assert [v.user_id for v in ranked] == [4, 2]


TIED = [volunteer(user_id=5_000_000_000 + i) for i in range(20)]


def test_tie_break_is_deterministic_when_the_request_is_the_same() -> None:
    shuffled = TIED[:]
    random.Random(3).shuffle(shuffled)
    assert order(TIED) == order(shuffled)


def test_tie_break_differs_when_requests_differ() -> None:
    """Regression: the seed was added after the multiplication, so every request put tied
    volunteers in the same (ascending id) order and the same few always won."""
    orders = {tuple(order(TIED, replace(REQUEST, id=i))) for i in range(1, 6)}
    assert len(orders) == 5
    firsts = {
        min(TIED, key=lambda v: rank_key(v, replace(REQUEST, id=i))).user_id for i in range(60)
    }
    assert len(firsts) > 10
