"""Forged button presses: anybody can send any callback data. Each one, for every prefix, gets a
short answer in the presser's language and changes nothing; none reaches the error handler (ids
beyond a column's range used to overflow in the database driver)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from db.models import Base
from matching.status import VolunteerStatus
from services.clock import FrozenClock
from services.requests import submit_request
from services.rules import Rules
from tests.bot.harness import Harness
from tests.conftest import COORDINATOR_ID
from tests.factories import add_user, add_volunteer, draft

Sessions = async_sessionmaker[AsyncSession]
SEEKER, HELPER, PENDING, STRANGER = 501, 601, 602, 777
COORD = COORDINATOR_ID
HUGE, HUGER, INT32 = str(2**63), str(2**64), str(2**31)

STALE = "This button is no longer valid. Send /start to begin again."
NOT_YOURS = "This button is not valid for you."
EARLIER = "This button belongs to an earlier step."
NOT_AVAILABLE = "This choice is not available."
ONLY = "This is only for coordinators."
NO_REQUEST = "This request does not exist."
NO_VOLUNTEER = "This volunteer does not exist."
NOT_APPROVED = "This person is not an approved volunteer."
NO_LANGUAGE = "This language is not available yet."
NO_BACK = "There is nothing to go back to."
REASON_GONE = "This button is no longer valid."

# (who presses, the data, the answer); {req} is an existing request's id.
CASES = [
    (SEEKER, "m:zzz", STALE),
    (SEEKER, "m:seek:extra", STALE),
    (SEEKER, "p:skill:rocket", EARLIER),
    (SEEKER, "p:zzz:1", EARLIER),
    (SEEKER, "p:day:9999-99-99", EARLIER),
    (SEEKER, "p:skill", STALE),
    (SEEKER, "t:skills:rocket", EARLIER),
    (SEEKER, "t:zzz:", EARLIER),
    (SEEKER, "n:zzz", STALE),
    (SEEKER, "n:back", NO_BACK),
    (HELPER, f"o:accept:{HUGE}", STALE),
    (HELPER, f"o:decline:{HUGER}", STALE),
    (HELPER, f"o:accept:{INT32}", STALE),
    (HELPER, "o:accept:-1", STALE),
    (HELPER, "o:accept:x", STALE),
    (HELPER, "o:accept:1.5", STALE),
    (HELPER, "o:zzz:1", STALE),
    (HELPER, "o:accept:999", NOT_YOURS),
    (HELPER, "o:decline:999", NOT_YOURS),
    (HELPER, f"k:done:{HUGE}", STALE),
    (HELPER, "k:release_sure:-5", STALE),
    (HELPER, "k:done:abc", STALE),
    (HELPER, "k:zzz:1", STALE),
    (HELPER, "k:done:{req}", NOT_YOURS),
    (HELPER, "k:release_sure:{req}", NOT_YOURS),
    (SEEKER, f"r:cancel_sure:{HUGE}", STALE),
    (SEEKER, "r:cancel_sure:-1", STALE),
    (SEEKER, "r:cancel:x", STALE),
    (SEEKER, "r:zzz:1", STALE),
    (STRANGER, "r:cancel_sure:{req}", NOT_YOURS),
    (COORD, f"a:approve:{HUGE}", STALE),
    (COORD, f"a:reject:{2**52}", STALE),
    (COORD, f"a:approve:-{PENDING}", STALE),
    (COORD, "a:approve:0", STALE),
    (COORD, "a:approve:x", STALE),
    (COORD, f"a:zzz:{PENDING}", STALE),
    (COORD, "a:approve:999", NO_VOLUNTEER),
    (STRANGER, f"a:approve:{PENDING}", ONLY),
    (SEEKER, "l:xx", NO_LANGUAGE),
    (SEEKER, "l:", NO_LANGUAGE),
    (HELPER, "z:-1", STALE),
    (HELPER, f"z:{HUGE}", STALE),
    (HELPER, "z:x", STALE),
    (HELPER, "z:5", NOT_AVAILABLE),
    (HELPER, "q:-2:0", STALE),
    (HELPER, f"q:{HUGE}:0", STALE),
    (HELPER, "q:x:y", STALE),
    (HELPER, "q:1:2", NOT_AVAILABLE),
    (HELPER, "f:zzz", STALE),
    (COORD, f"e:assign:{HUGE}:0", STALE),
    (COORD, "e:extend:-1:0", STALE),
    (COORD, "e:extend:{req}", STALE),
    (COORD, "e:pick:{req}:-1", STALE),
    (COORD, f"e:pick:{{req}}:{HUGE}", STALE),
    (COORD, "e:reason:{req}:x", STALE),
    (COORD, "e:zzz:{req}:0", STALE),
    (COORD, "e:reason:{req}:99", REASON_GONE),
    (COORD, "e:assign:999:0", NO_REQUEST),
    (COORD, "e:pick:{req}:999", NOT_APPROVED),
    (COORD, "e:pick:{req}:" + str(SEEKER), NOT_APPROVED),
    (STRANGER, "e:close:{req}:0", ONLY),
    (COORD, f"cl:set:{HUGE}", STALE),
    (COORD, "cl:unset:-1", STALE),
    (COORD, "cl:set:x", STALE),
    (COORD, f"cl:zzz:{HELPER}", STALE),
    (COORD, "cl:set:999", NO_VOLUNTEER),
    (STRANGER, f"cl:set:{HELPER}", ONLY),
    (HELPER, f"mv:yes:{HUGE}:0", STALE),
    (HELPER, "mv:maybe:1:0", STALE),
    (HELPER, f"mv:no:1:{INT32}", STALE),
    (HELPER, "mv:yes:999:29000000", "This meeting does not take place then."),
    (COORD, "mf:kind:weekly", EARLIER),
    (COORD, "mf:zzz:1", STALE),
    (STRANGER, "mf:kind:weekly", ONLY),
    (COORD, f"ma:del_sure:{HUGE}:0", STALE),
    (COORD, "ma:zzz:1:0", STALE),
    (COORD, "ma:del_sure:999:0", "This meeting no longer exists."),
    (STRANGER, "ma:del_sure:1:0", ONLY),
    (COORD, f"mr:tog:1:0:{HUGE}", STALE),
    (COORD, "mr:tog:999:29000000:5", "This meeting no longer exists."),
    (STRANGER, "mr:show:1:0:0", ONLY),
    (HELPER, f"mo:off:{HUGE}", STALE),
    (HELPER, "mo:mute:1", STALE),
    (HELPER, "mo:off:999", "This meeting does not take place any more."),
    (COORD, "rp:zzz:tw", STALE),
    (COORD, "rp:s:zz", STALE),
    (STRANGER, "rp:s:tw", ONLY),
    (COORD, f"au:{HUGE}", STALE),
    (COORD, "au:-1", STALE),
    (STRANGER, "au:0", ONLY),
    (SEEKER, "zz:1", STALE),
    (SEEKER, ":::", STALE),
    (SEEKER, "fg:maybe", STALE),
    (SEEKER, "fg", STALE),
    (HELPER, "sy:perhaps", STALE),
    (HELPER, "sy:0", REASON_GONE),
    (SEEKER, "sy:1", REASON_GONE),
    (STRANGER, f"er:{SEEKER}:1", ONLY),
    (COORD, f"er:{HUGE}:1", STALE),
    (COORD, "er:0:1", STALE),
    (COORD, "er:x:1", STALE),
]


@pytest.fixture
async def request_id(sessions: Sessions, clock: FrozenClock, rules: Rules) -> int:
    """Somebody to forge against: an open request offered to a volunteer, a pending volunteer."""
    async with sessions() as s, s.begin():
        for user_id in (SEEKER, STRANGER, COORD):
            await add_user(s, user_id, now=clock.now())
        await add_volunteer(s, HELPER, now=clock.now())
        await add_volunteer(s, PENDING, now=clock.now(), status=VolunteerStatus.PENDING)
        request = (
            await submit_request(s, seeker_id=SEEKER, draft=draft(), rules=rules, now=clock.now())
        ).request
        assert request is not None
        return request.id


async def snapshot(sessions: Sessions) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, except who wrote last and which updates were seen."""
    skip = {"users", "processed_updates"}
    async with sessions() as s:
        return {
            name: sorted(tuple(row) for row in await s.execute(select(table)))
            for name, table in Base.metadata.tables.items()
            if name not in skip
        }


async def test_forged_buttons_get_a_localized_answer_and_change_nothing_when_pressed(
    harness: Harness,
    sessions: Sessions,
    settings: Settings,
    request_id: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One database for the whole table (a fresh one per case takes half a second each); every
    # case is checked against the snapshot taken before it, and all mismatches are reported.
    i18n = I18n(path=settings.locales_dir, default_locale="en")
    before = await snapshot(sessions)
    wrong: list[tuple[Any, ...]] = []
    for presser, data, answer in CASES:
        german = i18n.gettext(answer, locale="de")
        assert german != answer  # so that the comparison proves the answer is localized
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            calls = await harness.press(presser, data.format(req=request_id), language_code="de")
        got = [(c.text, c.show_alert) for c in calls if isinstance(c, AnswerCallbackQuery)]
        if got != [(german, True)] or len(calls) != 1:
            wrong.append((data, [type(c).__name__ for c in calls], got))
        if errors := [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]:
            wrong.append((data, errors))
        if (after := await snapshot(sessions)) != before:
            wrong.append((data, "changed the database"))
            before = after
    assert wrong == []


async def test_every_callback_prefix_is_forged_in_the_table() -> None:
    from aiogram.filters.callback_data import CallbackData

    from handlers import callbacks

    prefixes = {
        cls.__prefix__
        for cls in vars(callbacks).values()
        if isinstance(cls, type) and issubclass(cls, CallbackData)
        if cls is not CallbackData
    }
    forged = {data.split(":")[0] for _presser, data, _answer in CASES}
    assert prefixes <= forged
