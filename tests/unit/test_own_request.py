"""Nobody is offered the request they asked for themselves, in the Lotsen pool neither."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from matching.eligibility import ineligibility, pick
from matching.model import Ineligible, LocalNow, RequestSpec, VolunteerState

NOW = LocalNow(
    utc=datetime(2026, 11, 21, 9, 0, tzinfo=UTC), local_date=date(2026, 11, 21), minute_of_day=600
)
SEEKER = 1001
REQUEST = RequestSpec(
    id=7, skill="furniture", district="ehrenfeld", language="de", seeker_id=SEEKER
)


def state(user_id: int) -> VolunteerState:
    return VolunteerState(
        user_id=user_id,
        approved=True,
        reachable=True,
        skills=frozenset({"furniture"}),
        districts=frozenset({"ehrenfeld"}),
        languages=frozenset({"de"}),
        is_lotse=True,
    )


@pytest.mark.parametrize("lotsen", [False, True], ids=["volunteers", "lotsen"])
def test_the_seeker_is_ruled_out_when_they_are_a_volunteer_too(lotsen: bool) -> None:
    assert (
        ineligibility(state(SEEKER), REQUEST, NOW, default_cap=5, lotsen=lotsen)
        is Ineligible.OWN_REQUEST
    )
    assert ineligibility(state(SEEKER + 1), REQUEST, NOW, default_cap=5, lotsen=lotsen) is None
    found = pick(
        [state(SEEKER), state(SEEKER + 1)], REQUEST, NOW, limit=5, default_cap=5, lotsen=lotsen
    )
    assert [v.user_id for v in found] == [SEEKER + 1]


def test_nobody_is_ruled_out_as_the_seeker_when_the_request_names_none() -> None:
    anonymous = RequestSpec(id=7, skill="furniture", district="ehrenfeld", language="de")
    assert ineligibility(state(SEEKER), anonymous, NOW, default_cap=5) is None
