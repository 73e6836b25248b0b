"""The escalation policy as data, and its step function.

A request walks through tiers: 0 offers it to matching volunteers in rounds, 1 asks the Lotsen
pool, 2 notifies the coordinators (repeated a bounded number of times). The policy is frozen
into the request when it is created; `decide` says what the next due step does.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any


class Tier(enum.IntEnum):
    VOLUNTEERS = 0
    LOTSEN = 1
    COORDINATORS = 2


class Action(enum.StrEnum):
    OFFER_VOLUNTEERS = "offer_volunteers"
    OFFER_LOTSEN = "offer_lotsen"
    NOTIFY_COORDINATORS = "notify_coordinators"


@dataclass(frozen=True, slots=True)
class Policy:
    offers_per_round: int = 3
    round_interval_minutes: float = 20
    tier0_rounds: int = 3
    lotse_wait_minutes: float = 120
    coordinator_repeat_minutes: float = 24 * 60
    coordinator_notices: int = 3

    def urgent(self, factor: float) -> Policy:
        """Urgent requests wait `factor` as long at every step."""
        return replace(
            self,
            round_interval_minutes=self.round_interval_minutes * factor,
            lotse_wait_minutes=self.lotse_wait_minutes * factor,
            coordinator_repeat_minutes=self.coordinator_repeat_minutes * factor,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class Position:
    tier: Tier
    step: int  # steps already taken in this tier


@dataclass(frozen=True, slots=True)
class Available:
    """How many not-yet-asked eligible people each tier could reach right now."""

    volunteers: int
    lotsen: int


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    count: int  # offers to make; 0 for a coordinator notice
    position: Position  # where the request stands after this step
    next_step_at: datetime | None  # None: no further automatic step
    tier_changed: bool


def start() -> Position:
    return Position(Tier.VOLUNTEERS, 0)


def extend() -> Position:
    """A coordinator's Extend: the Lotsen tier runs once more."""
    return Position(Tier.LOTSEN, 0)


def past_tier(policy: Policy, tier: int, step: int) -> int:
    """The step at which `decide` leaves the current tier instead of staying in it."""
    if tier == Tier.VOLUNTEERS:
        return max(step, policy.tier0_rounds)
    if tier == Tier.LOTSEN:
        return max(step, 1)
    return step  # the coordinators: notify them again


def decide(policy: Policy, at: Position, available: Available, now: datetime) -> Decision:
    """What the due step of a request at `at` does."""
    if at.tier is Tier.VOLUNTEERS and at.step < policy.tier0_rounds and available.volunteers:
        return _next_round(policy, at, available, now)
    lotsen_due = (at.tier is Tier.VOLUNTEERS and available.lotsen > 0) or (
        at.tier is Tier.LOTSEN and at.step == 0
    )
    if lotsen_due:
        return _ask_lotsen(policy, at, available, now)
    return _tell_coordinators(policy, at, now)


def _next_round(policy: Policy, at: Position, available: Available, now: datetime) -> Decision:
    return Decision(
        Action.OFFER_VOLUNTEERS,
        min(policy.offers_per_round, available.volunteers),
        Position(Tier.VOLUNTEERS, at.step + 1),
        now + timedelta(minutes=policy.round_interval_minutes),
        tier_changed=False,
    )


def _ask_lotsen(policy: Policy, at: Position, available: Available, now: datetime) -> Decision:
    # After an Extend the tier waits again even when every Lotse was asked already: their
    # offers stay open and a late accept still counts.
    return Decision(
        Action.OFFER_LOTSEN,
        available.lotsen,
        Position(Tier.LOTSEN, 1),
        now + timedelta(minutes=policy.lotse_wait_minutes),
        tier_changed=at.tier is not Tier.LOTSEN,
    )


def _tell_coordinators(policy: Policy, at: Position, now: datetime) -> Decision:
    notices = at.step if at.tier is Tier.COORDINATORS else 0
    more = notices + 1 < policy.coordinator_notices
    return Decision(
        Action.NOTIFY_COORDINATORS,
        0,
        Position(Tier.COORDINATORS, notices + 1),
        now + timedelta(minutes=policy.coordinator_repeat_minutes) if more else None,
        tier_changed=at.tier is not Tier.COORDINATORS,
    )
