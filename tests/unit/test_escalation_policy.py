"""The escalation policy's step function as a table, and walks through whole escalations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from matching.escalation import (
    Action,
    Available,
    Decision,
    Policy,
    Position,
    Tier,
    decide,
    extend,
    start,
)

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
POLICY = Policy(
    offers_per_round=3,
    round_interval_minutes=20,
    tier0_rounds=3,
    lotse_wait_minutes=120,
    coordinator_repeat_minutes=1440,
    coordinator_notices=3,
)
V, L, C = Tier.VOLUNTEERS, Tier.LOTSEN, Tier.COORDINATORS
OFFER, LOTSEN, NOTIFY = Action.OFFER_VOLUNTEERS, Action.OFFER_LOTSEN, Action.NOTIFY_COORDINATORS


@pytest.mark.parametrize(
    ("at", "available", "action", "count", "after", "wait", "changed"),
    [
        pytest.param((V, 0), (10, 5), OFFER, 3, (V, 1), 20, False, id="first-round"),
        pytest.param((V, 0), (2, 5), OFFER, 2, (V, 1), 20, False, id="fewer-than-k"),
        pytest.param((V, 2), (10, 5), OFFER, 3, (V, 3), 20, False, id="last-round"),
        pytest.param((V, 3), (10, 4), LOTSEN, 4, (L, 1), 120, True, id="rounds-done"),
        pytest.param((V, 1), (0, 2), LOTSEN, 2, (L, 1), 120, True, id="ran-out-early"),
        pytest.param((V, 0), (0, 0), NOTIFY, 0, (C, 1), 1440, True, id="nobody-at-all"),
        pytest.param((V, 3), (10, 0), NOTIFY, 0, (C, 1), 1440, True, id="rounds-done-no-lotsen"),
        pytest.param((L, 1), (0, 3), NOTIFY, 0, (C, 1), 1440, True, id="lotsen-waited"),
        pytest.param((L, 0), (0, 0), LOTSEN, 0, (L, 1), 120, False, id="extended-no-new-lotsen"),
        pytest.param((L, 0), (0, 2), LOTSEN, 2, (L, 1), 120, False, id="extended-new-lotsen"),
        pytest.param((C, 1), (0, 0), NOTIFY, 0, (C, 2), 1440, False, id="second-notice"),
        pytest.param((C, 2), (0, 0), NOTIFY, 0, (C, 3), None, False, id="last-notice"),
    ],
)
def test_decide_takes_the_tiers_next_step_when_the_request_stands_at_a_position(
    at: tuple[Tier, int],
    available: tuple[int, int],
    action: Action,
    count: int,
    after: tuple[Tier, int],
    wait: int | None,
    changed: bool,
) -> None:
    decision = decide(POLICY, Position(*at), Available(*available), NOW)
    assert decision == Decision(
        action=action,
        count=count,
        position=Position(*after),
        next_step_at=None if wait is None else NOW + timedelta(minutes=wait),
        tier_changed=changed,
    )


def walk(policy: Policy, available: Available, at: Position | None = None) -> list[Decision]:
    """Every step until no further one is scheduled, each taken the moment it is due."""
    now, position = NOW, at or start()
    steps: list[Decision] = []
    while len(steps) < 100:
        decision = decide(policy, position, available, now)
        steps.append(decision)
        if decision.next_step_at is None:
            return steps
        now, position = decision.next_step_at, decision.position
    raise AssertionError("the escalation never stops")


@pytest.mark.parametrize("rounds", [1, 3, 5], ids=lambda n: f"{n}-rounds")
def test_tier0_offers_exactly_its_rounds_when_volunteers_never_run_out(rounds: int) -> None:
    steps = walk(Policy(tier0_rounds=rounds), Available(volunteers=1000, lotsen=10))
    assert [s.action for s in steps[: rounds + 1]] == [OFFER] * rounds + [LOTSEN]


@pytest.mark.parametrize(
    ("available", "actions"),
    [
        pytest.param(
            Available(10, 4),
            [OFFER, OFFER, OFFER, LOTSEN, NOTIFY, NOTIFY, NOTIFY],
            id="everyone-available",
        ),
        pytest.param(Available(0, 4), [LOTSEN, NOTIFY, NOTIFY, NOTIFY], id="no-volunteers"),
        pytest.param(Available(0, 0), [NOTIFY, NOTIFY, NOTIFY], id="nobody"),
    ],
)
def test_escalation_stops_after_the_last_coordinator_notice_when_nobody_answers(
    available: Available, actions: list[Action]
) -> None:
    steps = walk(POLICY, available)
    assert [s.action for s in steps] == actions
    assert [s.position for s in steps if s.action is NOTIFY] == [Position(C, n) for n in (1, 2, 3)]
    assert steps[-1].next_step_at is None


@pytest.mark.parametrize("notices", [1, 2, 4], ids=lambda n: f"{n}-notices")
def test_coordinators_are_notified_exactly_the_bound_when_nobody_acts(notices: int) -> None:
    steps = walk(Policy(coordinator_notices=notices), Available(0, 0))
    assert len(steps) == notices
    assert all(s.action is NOTIFY for s in steps)
    assert [s.next_step_at is None for s in steps] == [False] * (notices - 1) + [True]


def waits(steps: list[Decision]) -> list[timedelta]:
    times = [NOW] + [s.next_step_at for s in steps if s.next_step_at is not None]
    return [later - earlier for earlier, later in pairwise(times)]


def test_every_wait_halves_when_the_request_is_urgent() -> None:
    available = Available(10, 4)
    normal, urgent = walk(POLICY, available), walk(POLICY.urgent(0.5), available)
    assert [s.action for s in urgent] == [s.action for s in normal]
    assert [s.count for s in urgent] == [s.count for s in normal]
    assert waits(urgent) == [w / 2 for w in waits(normal)]
    assert waits(urgent)[:4] == [timedelta(minutes=m) for m in (10, 10, 10, 60)]


def test_urgency_keeps_counts_when_waits_shrink() -> None:
    urgent = POLICY.urgent(0.5)
    assert (urgent.offers_per_round, urgent.tier0_rounds, urgent.coordinator_notices) == (3, 3, 3)


def test_extend_asks_lotsen_again_and_waits_when_no_new_lotse_is_left() -> None:
    steps = walk(POLICY, Available(0, 0), at=extend())
    assert [s.action for s in steps] == [LOTSEN, NOTIFY, NOTIFY, NOTIFY]
    assert steps[0].count == 0
    assert steps[0].next_step_at == NOW + timedelta(minutes=120)
    assert steps[1].position == Position(C, 1)


def test_policy_survives_a_json_round_trip_when_frozen_into_a_request() -> None:
    policy = Policy(offers_per_round=5, round_interval_minutes=7.5, coordinator_notices=2)
    assert Policy.from_dict(json.loads(json.dumps(policy.to_dict()))) == policy
    assert Policy.from_dict(policy.urgent(0.5).to_dict()) == policy.urgent(0.5)


def test_from_dict_ignores_unknown_keys_when_a_newer_policy_was_stored() -> None:
    stored = POLICY.to_dict() | {"some_future_setting": 1}
    assert Policy.from_dict(stored) == POLICY
