"""Each reader gets a message in their own language and direction: offers pushed from the outbox
in the volunteer's locale, Arabic messages marked right to left with their Latin runs isolated,
and a seeker who can correct the language we read their description in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.areas import load_areas
from bot.config import Settings
from bot.send_calls import prepare
from db.models import HelpRequest, User
from handlers.callbacks import MenuCb, PickCb
from handlers.views.direction import RLM
from handlers.views.notices import make_renderer
from matching.text import isolate
from services.clock import FrozenClock
from services.outbox import MatchedNotice
from services.outbox.queue import fetch_due
from services.requests import submit_request
from services.rules import Rules
from tests.bot.conftest import build_harness
from tests.bot.harness import Harness, RecordingSession, buttons, texts
from tests.bot.test_language import locales_with
from tests.factories import add_user, add_volunteer, draft

Sessions = async_sessionmaker[AsyncSession]
SEEKER, ENGLISH, GERMAN, ARABIC = 501, 601, 602, 603


@pytest.fixture
def with_arabic(settings: Settings, tmp_path: Path) -> Settings:
    """A deployment whose ar catalog has just landed (here a copy of en's)."""
    return settings.model_copy(update={"locales_dir": locales_with(tmp_path, "ar")})


def renderer(settings: Settings, rules: Rules) -> Any:
    i18n = I18n(path=settings.locales_dir, default_locale="de")
    return make_renderer(i18n, load_areas(settings.areas_file), rules.tz)


async def offers_by_reader(
    sessions: Sessions, settings: Settings, rules: Rules, clock: FrozenClock
) -> dict[int, str]:
    """A request offered to volunteers who read en, de and ar; each offer as the sender
    renders it for its reader."""
    async with sessions() as s, s.begin():
        await add_user(s, SEEKER, now=clock.now())
        for user_id, locale in ((ENGLISH, "en"), (GERMAN, "de"), (ARABIC, "ar")):
            await add_volunteer(s, user_id, now=clock.now())
            (await s.get_one(User, user_id)).locale = locale
        await submit_request(s, seeker_id=SEEKER, draft=draft(), rules=rules, now=clock.now())
    async with sessions() as s:
        due = await fetch_due(s, clock.now(), limit=50)
    render = renderer(settings, rules)
    offers = [row for row in due if row.kind == "offer"]
    prepared = {row.chat_id: prepare(row, render, ("de", "en", "ar"), "de") for row in offers}
    assert all(isinstance(p, tuple) for p in prepared.values())  # rendered, not a held call
    return {chat: cast(tuple[str, Any], p)[0] for chat, p in prepared.items()}


async def test_each_volunteer_reads_the_offer_in_their_language_when_it_is_pushed(
    sessions: Sessions, with_arabic: Settings, rules: Rules, clock: FrozenClock
) -> None:
    text = await offers_by_reader(sessions, with_arabic, rules, clock)
    assert "Can you help?" in text[ENGLISH] and "Description</b> (German)" in text[ENGLISH]
    assert "Können Sie helfen?" in text[GERMAN] and "Beschreibung</b> (Deutsch)" in text[GERMAN]
    assert "Furniture and moving" in text[ENGLISH] and "Möbel und Umzug" in text[GERMAN]
    assert not text[ENGLISH].startswith(RLM) and not text[GERMAN].startswith(RLM)


async def test_an_arabic_offer_begins_right_to_left_and_isolates_its_code_when_pushed(
    sessions: Sessions, with_arabic: Settings, rules: Rules, clock: FrozenClock
) -> None:
    text = await offers_by_reader(sessions, with_arabic, rules, clock)
    async with sessions() as s:
        ref = (await s.scalars(select(HelpRequest.ref))).one()
    arabic = text[ARABIC]
    assert arabic.startswith(RLM) and not arabic.startswith(RLM * 2)
    assert isolate(ref) in arabic
    assert "(الألمانية)" in arabic  # German, named in Arabic
    assert "الأثاث والانتقال" in arabic  # the skill, from the areas file's Arabic labels
    # The seeker's German description keeps its own direction inside the Arabic message.
    assert isolate("Help assembling a wardrobe") in arabic


def test_an_arabic_notice_isolates_the_volunteers_name_when_rendered(
    with_arabic: Settings, rules: Rules
) -> None:
    render = renderer(with_arabic, rules)
    notice = MatchedNotice(ref="K7M2QP", request_id=7, volunteer_id=601, volunteer_name="Anna")
    arabic, _keyboard = render(notice, "ar")
    english, _keyboard = render(notice, "en")
    assert arabic.startswith(RLM) and not english.startswith(RLM)
    assert isolate("Anna") in arabic and isolate("K7M2QP") in arabic


@pytest.fixture
async def arabic(
    with_arabic: Settings, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> AsyncIterator[Harness]:
    harness = build_harness(with_arabic, sessions, clock, rules, RecordingSession())
    yield harness
    await harness.bot.session.close()


async def test_every_answer_and_alert_begins_right_to_left_when_the_reader_reads_arabic(
    arabic: Harness,
) -> None:
    answers = texts(await arabic.send(SEEKER, "/start", language_code="ar"))
    late = PickCb(field="skill", value="furniture").pack()  # no form is open
    calls = await arabic.press(SEEKER, late, language_code="ar")
    alerts = [call.text or "" for call in calls if isinstance(call, AnswerCallbackQuery)]
    assert answers and alerts
    assert all(text.startswith(RLM) and text[1] != RLM for text in answers + alerts)
    english = texts(await arabic.send(SEEKER + 1, "/start", language_code="en"))
    assert english and not any(text.startswith(RLM) for text in english)


async def at_confirmation(h: Harness, description: str) -> list[TelegramMethod[Any]]:
    await h.send(SEEKER, "/start")
    await h.press(SEEKER, MenuCb(action="seek").pack())
    await h.press(SEEKER, PickCb(field="skill", value="furniture").pack())
    await h.press(SEEKER, PickCb(field="district", value="ehrenfeld").pack())
    await h.press(SEEKER, PickCb(field="when", value="week").pack())
    await h.send(SEEKER, description)
    return await h.press(SEEKER, PickCb(field="consent", value="yes").pack())


async def test_the_request_carries_the_corrected_language_when_the_seeker_changes_it(
    harness: Harness, sessions: Sessions
) -> None:
    shown = await at_confirmation(harness, "Ich brauche Hilfe beim Aufbau vom Schrank.")
    [confirm] = texts(shown)
    assert "Description</b> (German)" in confirm
    change = PickCb(field="confirm", value="language").pack()
    assert ("🗣 Change the language of my text", change) in buttons(shown)
    calls = await harness.press(SEEKER, change)
    offered = buttons(calls)
    assert [data for _label, data in offered[:7]] == [
        PickCb(field="confirm", value=code).pack()
        for code in ("de", "en", "uk", "ru", "ar", "fa", "tr")
    ]
    assert ("✓ Deutsch", PickCb(field="confirm", value="de").pack()) in offered
    [again] = texts(await harness.press(SEEKER, PickCb(field="confirm", value="tr").pack()))
    assert "Description</b> (Turkish)" in again
    await harness.press(SEEKER, PickCb(field="confirm", value="send").pack())
    async with sessions() as s:
        request = (await s.scalars(select(HelpRequest))).one()
    assert request.language == "tr"


async def test_a_forged_language_is_refused_when_pressed_at_confirmation(
    harness: Harness, sessions: Sessions
) -> None:
    await at_confirmation(harness, "Ich brauche Hilfe beim Aufbau vom Schrank.")
    calls = await harness.press(SEEKER, PickCb(field="confirm", value="xx").pack())
    assert [c.show_alert for c in calls if isinstance(c, AnswerCallbackQuery)] == [True]
