"""Hard filters and ranking for offering a request to volunteers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from matching.model import Ineligible, LocalNow, RequestSpec, VolunteerState

# The tie-breaker is a seeded hash that the database can compute too (see db/candidates.py),
# so the SQL pre-ordering and this ranking agree row for row: an affine map modulo the prime P
# whose multiplier and offset come from the request (MINSTD states), so each request orders tied
# volunteers differently. Every factor is below 2**31: no overflow in 64-bit integers.
TIE_P = 2_147_483_647
TIE_A = 48_271
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def in_quiet_hours(start: int | None, end: int | None, minute: int) -> bool:
    """Quiet hours are [start, end) in minutes after local midnight and may wrap midnight."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def ineligibility(
    v: VolunteerState,
    request: RequestSpec,
    now: LocalNow,
    *,
    default_cap: int,
    lotsen: bool = False,
) -> Ineligible | None:
    """The first hard filter that rules the volunteer out, or None if they may be asked."""
    cap = v.daily_cap if v.daily_cap is not None else default_cap
    checks = (
        (Ineligible.OWN_REQUEST, v.user_id == request.seeker_id),
        (Ineligible.NOT_APPROVED, not v.approved),
        (Ineligible.UNREACHABLE, not v.reachable),
        (
            Ineligible.PAUSED,
            v.paused and (v.paused_until is None or v.paused_until >= now.local_date),
        ),
        (Ineligible.SKILL, request.skill not in v.skills),
        (Ineligible.NOT_LOTSE, lotsen and not v.is_lotse),
        (Ineligible.DISTRICT, not lotsen and request.district not in v.districts),
        (Ineligible.ALREADY_ASKED, v.already_asked),
        (Ineligible.QUIET_HOURS, in_quiet_hours(v.quiet_start, v.quiet_end, now.minute_of_day)),
        (Ineligible.DAILY_CAP, v.offers_today >= cap),
    )
    return next((reason for reason, fails in checks if fails), None)


def tie_params(seed: int) -> tuple[int, int]:
    """The multiplier (never 0) and offset of one request's tie-breaker."""
    return pow(TIE_A, seed % (TIE_P - 1) + 1, TIE_P), pow(TIE_A, (seed + 7919) % (TIE_P - 1), TIE_P)


def tie_break(user_id: int, seed: int) -> int:
    mul, add = tie_params(seed)
    return ((user_id % TIE_P) * mul + add) % TIE_P


def rank_key(v: VolunteerState, request: RequestSpec) -> tuple[int, int, int, float, int]:
    """Language first, then fairness (fewer recent offers, fewer open assignments), then the
    longest wait since the last offer, then a seeded random tie-breaker."""
    last = (v.last_offer_at or _EPOCH).timestamp()
    return (
        0 if request.language in v.languages else 1,
        v.offers_last_7d,
        v.open_assignments,
        last,
        tie_break(v.user_id, request.id),
    )


def pick(
    volunteers: Iterable[VolunteerState],
    request: RequestSpec,
    now: LocalNow,
    *,
    limit: int,
    default_cap: int,
    lotsen: bool = False,
) -> list[VolunteerState]:
    """The best `limit` eligible volunteers, best first."""
    eligible = [
        v
        for v in volunteers
        if ineligibility(v, request, now, default_cap=default_cap, lotsen=lotsen) is None
    ]
    eligible.sort(key=lambda v: rank_key(v, request))
    return eligible[:limit]
