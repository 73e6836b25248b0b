"""Odd text where the bot expects an id or a name gets an answer, never an error."""

from __future__ import annotations

import logging

import pytest

from tests.bot.harness import Harness, texts
from tests.conftest import COORDINATOR_ID

USAGE = "Please give the volunteer's Telegram id or @username"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/volunteer ²", USAGE),
        ("/volunteer 99999999999999999999999999", USAGE),
        (f"/volunteer {2**63}", USAGE),
        ("/volunteer 0", USAGE),
        ("/volunteer -5", USAGE),
        ("/lotse @" + "a" * 65, USAGE),
        ("/lotse @anna\x00", USAGE),
        ("/volunteer ١٢٣", "There is no volunteer"),  # Arabic-Indic digits are a number
        ("/unlotse @nobody_here", "There is no volunteer"),
    ],
)
async def test_coordinator_gets_an_answer_not_an_error_when_naming_a_volunteer_oddly(
    harness: Harness, caplog: pytest.LogCaptureFixture, command: str, answer: str
) -> None:
    with caplog.at_level(logging.ERROR):
        [shown] = texts(await harness.send(COORDINATOR_ID, command))
    assert answer in shown
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
