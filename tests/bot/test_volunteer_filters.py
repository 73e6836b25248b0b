"""The filter buttons of /volunteers and /broadcast: each opens its choices, each choice leads
back to the summary with the count of the volunteers it picks."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.console_callbacks import FilterPurpose, FilterView, VolunteerFilterCb
from matching.status import Standing
from services.clock import FrozenClock
from services.volunteer_queries import VolunteerFilter
from tests.bot.harness import Harness, buttons, texts
from tests.conftest import COORDINATOR_ID
from tests.factories import add_volunteer

Sessions = async_sessionmaker[AsyncSession]


EVERYONE = VolunteerFilter()


def press(view: FilterView, f: VolunteerFilter = EVERYONE) -> str:
    return VolunteerFilterCb.of(FilterPurpose.LIST, view, f).pack()


async def test_a_choice_leads_back_to_the_summary_with_its_count_when_a_district_is_chosen(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now(), districts=("kalk",))
        await add_volunteer(s, 12, now=clock.now(), districts=("porz",))
    choices = await harness.press(COORDINATOR_ID, press(FilterView.DISTRICT))
    assert texts(choices)[0] == "Which district?"
    kalk = dict(buttons(choices))["Kalk"]
    summary = texts(await harness.press(COORDINATOR_ID, kalk))[0]
    assert "District: Kalk" in summary
    assert summary.endswith("1 volunteer")


async def test_no_next_step_is_offered_when_the_filter_picks_nobody(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now())
    banned = VolunteerFilter(standing=Standing.BANNED)
    shown = await harness.press(COORDINATOR_ID, press(FilterView.SUMMARY, banned))
    assert texts(shown)[0].endswith("0 volunteers")
    assert "Show the list »" not in dict(buttons(shown))
    everyone = await harness.press(COORDINATOR_ID, press(FilterView.SUMMARY))
    assert "Show the list »" in dict(buttons(everyone))
