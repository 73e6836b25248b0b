"""/mydata on the generated month: every row that mentions the person (found by searching every
serialised row of every table) is in it, and nothing about anybody else is."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.clock import FrozenClock
from services.privacy.mydata import as_json, my_data
from tests.db.test_forget import HELPER, OTHER, SEEKER, _messages_about, words
from tests.month import generate
from tests.privacy import all_rows, traces


async def test_my_data_holds_every_row_about_them_and_nobody_else_when_asked(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        month = await generate(s)
        await _messages_about(s, month, clock)
    for who in (SEEKER, HELPER):
        async with sessions() as s:
            data = await my_data(s, user_id=who)
            rows = await all_rows(s)
        expected = Counter(t.split(":")[0] for t in traces(rows, who, words(month, who)))
        got = Counter({table: len(found) for table, found in data["tables"].items()})
        assert got == expected
        text = as_json(data).decode()
        assert json.loads(text)["person"] == who
        for other in month.people:
            if other != who:
                assert traces([("mydata", text)], other, words(month, other)) == [], other
        assert "someone else" in text


async def test_my_data_is_empty_when_nothing_is_stored_about_them(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        assert await my_data(s, user_id=OTHER) == {"person": OTHER, "tables": {}}
