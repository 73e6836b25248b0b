"""The privacy notice at first contact, through the real dispatcher: nothing about a person is
stored until they agree; a refusal is the only row a person who declines leaves; the notice can
be read in another language without storing anything; an agency can ship its own text."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from db.consent_models import ConsentRow
from db.models import Base, User
from handlers.callbacks import OfferAction, OfferCb
from handlers.privacy_callbacks import ConsentAction, ConsentCb
from matching.status import Consent
from services.clock import FrozenClock
from services.rules import Rules
from tests.bot.conftest import build_harness
from tests.bot.harness import Harness, RecordingSession, buttons, texts
from tests.factories import add_user

Sessions = async_sessionmaker[AsyncSession]
AMAL = 501
NAME, USERNAME = "Amalia", "amalia_k"
AGREE = ConsentCb(action=ConsentAction.AGREE).pack()
DECLINE = ConsentCb(action=ConsentAction.DECLINE).pack()
ASKED = "Your data at Lotse"
AGREED_WELCOME = "What would you like to do?"


@pytest.fixture
async def asking(
    settings: Settings, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> AsyncIterator[Harness]:
    """The dispatcher as deployed: the notice switched on."""
    on = settings.model_copy(update={"privacy_notice": True})
    harness = build_harness(on, sessions, clock, rules, RecordingSession())
    yield harness
    await harness.bot.session.close()


async def rows_about(sessions: Sessions, *needles: str) -> dict[str, list[str]]:
    """Every row of every table that mentions any needle, serialised, by table."""
    found: dict[str, list[str]] = {}
    async with sessions() as s:
        for name, table in Base.metadata.tables.items():
            for row in await s.execute(select(table)):
                text = json.dumps([str(v) for v in row], ensure_ascii=False)
                if any(needle in text for needle in needles):
                    found.setdefault(name, []).append(text)
    return found


async def test_the_notice_is_asked_and_nothing_is_stored_when_a_new_person_writes(
    asking: Harness, sessions: Sessions
) -> None:
    for text in ("/start", "Hello, I need help with a letter", "/help"):
        shown = texts(await asking.send(AMAL, text, name=NAME))
        assert ASKED in shown[0] and shown[0].endswith("Do you agree?")
    labels = [label for label, _data in buttons(await asking.send(AMAL, "/start"))]
    assert labels[:2] == ["✅ I agree", "✖ No"] and "Українська" in labels
    assert await rows_about(sessions, str(AMAL), NAME, "letter") == {}


async def test_the_person_is_stored_and_welcomed_when_they_agree(
    asking: Harness, sessions: Sessions
) -> None:
    await asking.send(AMAL, "/start", name=NAME)
    shown = texts(await asking.press(AMAL, AGREE, name=NAME))
    assert AGREED_WELCOME in shown[-1]
    async with sessions() as s:
        user = await s.get(User, AMAL)
        consent = await s.get(ConsentRow, AMAL)
    assert user is not None and user.first_name == NAME
    assert consent is not None and consent.choice is Consent.AGREED
    assert ASKED not in texts(await asking.send(AMAL, "/help"))[0]


async def test_only_the_refusal_is_left_when_a_person_declines(
    asking: Harness, sessions: Sessions
) -> None:
    await asking.send(AMAL, "I need help with my child's school", name=NAME, username=USERNAME)
    shown = texts(await asking.press(AMAL, DECLINE, name=NAME, username=USERNAME))
    assert shown[-1].startswith("All right. We store nothing about you")
    about = await rows_about(sessions, str(AMAL), NAME, USERNAME, "school")
    assert list(about) == ["consents"] and len(about["consents"]) == 1
    assert "declined" in about["consents"][0]
    # Asked again on a later /start, and still nothing else stored.
    assert ASKED in texts(await asking.send(AMAL, "/start", name=NAME))[0]
    assert list(await rows_about(sessions, str(AMAL), NAME)) == ["consents"]


async def test_the_notice_is_read_in_another_language_without_storing_it_when_chosen(
    asking: Harness, sessions: Sessions
) -> None:
    await asking.send(AMAL, "/start", name=NAME)
    ukrainian = ConsentCb(action=ConsentAction.LANGUAGE, lang="uk").pack()
    shown = await asking.press(AMAL, ukrainian, name=NAME)
    assert "Ваші дані в Lotse" in texts(shown)[0] and texts(shown)[0].endswith("Ви згодні?")
    assert await rows_about(sessions, str(AMAL), NAME) == {}
    agree_in_ukrainian = dict(buttons(shown))["✅ Я згоден / згодна"]
    welcome = texts(await asking.press(AMAL, agree_in_ukrainian, name=NAME))[-1]
    assert welcome.startswith("Вітаємо")
    async with sessions() as s:
        user = await s.get(User, AMAL)
    assert user is not None and user.locale == "uk"


async def test_a_button_is_refused_and_nothing_stored_when_pressed_before_agreeing(
    asking: Harness, sessions: Sessions
) -> None:
    forged = OfferCb(action=OfferAction.ACCEPT, offer_id=1).pack()
    shown = texts(await asking.press(AMAL, forged, name=NAME))
    assert shown == ["Please answer the question about your data first. Send /start to see it."]
    assert await rows_about(sessions, str(AMAL), NAME) == {}


async def test_privacy_shows_the_notice_again_when_a_person_has_agreed(asking: Harness) -> None:
    await asking.send(AMAL, "/start")
    await asking.press(AMAL, AGREE)
    shown = texts(await asking.send(AMAL, "/privacy"))[0]
    assert ASKED in shown and "90 days after a request is closed" in shown
    assert shown.endswith("/forget deletes it.")


async def test_a_person_from_before_the_notice_is_erased_when_they_decline(
    asking: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        (await add_user(s, AMAL, now=clock.now())).first_name = NAME
    assert ASKED in texts(await asking.send(AMAL, "/start", name=NAME))[0]
    await asking.press(AMAL, DECLINE, name=NAME)
    assert list(await rows_about(sessions, str(AMAL), NAME)) == ["consents"]


async def test_the_agencys_own_notice_is_shown_when_its_folder_is_set(
    settings: Settings, sessions: Sessions, clock: FrozenClock, rules: Rules, tmp_path: Path
) -> None:
    (tmp_path / "en.txt").write_text("Our own words. Texts go after {days} days.\n")
    own = settings.model_copy(update={"privacy_notice": True, "privacy_dir": tmp_path})
    harness = build_harness(own, sessions, clock, rules, RecordingSession())
    try:
        shown = texts(await harness.send(AMAL, "/start", language_code="de"))[0]
    finally:
        await harness.bot.session.close()
    # Only English is there: a German reader gets it, with the question in German.
    assert shown == "Our own words. Texts go after 90 days.\n\nSind Sie einverstanden?"
