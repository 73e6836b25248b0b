"""Back and Cancel in every form go to that form's own handler, whichever router it sits in;
a Back or Cancel that no form takes (the first question, an old message) gets a plain answer."""

from __future__ import annotations

from typing import Any

from aiogram.methods import TelegramMethod

from handlers.callbacks import MenuCb, NavAction, NavCb, ToggleCb
from tests.bot.harness import Harness, texts

VOLUNTEER = 555
BACK = NavCb(action=NavAction.BACK).pack()
CANCEL = NavCb(action=NavAction.CANCEL).pack()


async def sign_up_to_districts(harness: Harness) -> list[TelegramMethod[Any]]:
    await harness.send(VOLUNTEER, "/start")
    await harness.press(VOLUNTEER, MenuCb(action="help").pack())
    await harness.press(VOLUNTEER, ToggleCb(field="skills", value="school").pack())
    return await harness.press(VOLUNTEER, ToggleCb(field="skills", value="").pack())


async def test_back_in_the_sign_up_returns_to_the_skills_when_pressed_at_the_districts(
    harness: Harness,
) -> None:
    calls = await sign_up_to_districts(harness)
    assert "In which districts" in texts(calls)[-1]
    calls = await harness.press(VOLUNTEER, BACK)
    assert "What can you help with?" in texts(calls)[-1]


async def test_back_says_there_is_nothing_before_when_pressed_at_the_first_question(
    harness: Harness,
) -> None:
    await harness.send(VOLUNTEER, "/start")
    await harness.press(VOLUNTEER, MenuCb(action="help").pack())
    calls = await harness.press(VOLUNTEER, BACK)
    assert texts(calls) == ["There is nothing to go back to."]


async def test_cancel_in_the_sign_up_ends_it_when_pressed(harness: Harness) -> None:
    await sign_up_to_districts(harness)
    calls = await harness.press(VOLUNTEER, CANCEL)
    assert "Cancelled" in texts(calls)[-1]
    calls = await harness.press(VOLUNTEER, BACK)  # the form is gone: nothing to go back to
    assert texts(calls) == ["There is nothing to go back to."]
