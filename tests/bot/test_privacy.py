"""/mydata, /forget, /erase and /privacy_report through the real dispatcher; and a whole
journey logged at DEBUG that names nobody."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, SendDocument
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.logs import CHATTY, PARAMETERS, setup_logging
from db.models import HelpRequest, Offer, User, Volunteer
from db.role_models import AuditEntry
from handlers.callbacks import EraseCb, ForgetCb, MenuCb, OfferCb, PickCb, StayCb, TaskCb
from handlers.views.document import MadeWhenSent
from matching.status import AuditAction, RequestStatus
from services.clock import FrozenClock
from services.privacy.retention import run_retention
from services.rules import Rules
from tests.bot.harness import Harness, texts
from tests.conftest import COORDINATOR_ID
from tests.factories import add_volunteer
from tests.privacy import all_rows, traces

Sessions = async_sessionmaker[AsyncSession]
SEEKER, NAME, USERNAME = 501, "Quokkaseeker", "quokka_handle"
DESCRIPTION = "Ich brauche Hilfe beim Aufbau von einem Kleiderschrank, bitte."
HELPERS = {601: ("Wombathelper", "wombat_handle"), 602: ("Numbathelper", "numbat_handle")}


def _as(update: dict[str, Any], name: str, username: str) -> dict[str, Any]:
    body = update.get("message") or update["callback_query"]
    body["from"] |= {"first_name": name, "username": username}
    return update


async def send(h: Harness, user_id: int, text: str, who: tuple[str, str]) -> list[Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return await h.feed(_as(h.message_update(user_id, content), *who))


async def press(h: Harness, user_id: int, data: str, who: tuple[str, str]) -> list[Any]:
    return await h.feed(_as(h.press_update(user_id, data), *who))


async def ask(h: Harness) -> None:
    me = (NAME, USERNAME)
    await send(h, SEEKER, "/start", me)
    for data in (
        MenuCb(action="seek").pack(),
        PickCb(field="skill", value="furniture").pack(),
        PickCb(field="district", value="ehrenfeld").pack(),
        PickCb(field="when", value="week").pack(),
    ):
        await press(h, SEEKER, data, me)
    await send(h, SEEKER, DESCRIPTION, me)
    await press(h, SEEKER, PickCb(field="consent", value="yes").pack(), me)
    await press(h, SEEKER, PickCb(field="confirm", value="send").pack(), me)


async def helpers(sessions: Sessions, clock: FrozenClock) -> None:
    async with sessions() as s, s.begin():
        for user_id in HELPERS:
            await add_volunteer(s, user_id, now=clock.now())


async def journey(h: Harness, sessions: Sessions, clock: FrozenClock) -> int:
    """A seeker asks, volunteers get offers, one accepts and marks it done: the request id."""
    await helpers(sessions, clock)
    await ask(h)
    async with sessions() as s:
        offer = await s.scalar(select(Offer).order_by(Offer.id))
        assert offer is not None
    who = HELPERS[offer.volunteer_id]
    await send(h, offer.volunteer_id, "/start", who)
    await press(h, offer.volunteer_id, OfferCb(action="accept", offer_id=offer.id).pack(), who)
    done = TaskCb(action="done", request_id=offer.request_id).pack()
    await press(h, offer.volunteer_id, done, who)
    async with sessions() as s:
        request = await s.get_one(HelpRequest, offer.request_id)
        assert request.status is RequestStatus.DONE
    return offer.request_id


@contextlib.contextmanager
def debug_logging() -> Iterator[None]:
    """The bot's own logging set up at DEBUG (bot/logs.py), everything restored afterwards."""
    root = logging.getLogger()
    names = ("", "aiogram", "aiosqlite", *CHATTY, *PARAMETERS)
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(root.handlers)
    setup_logging("DEBUG")
    try:
        yield
    finally:
        root.handlers[:] = handlers
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def words() -> list[str]:
    return [NAME, USERNAME, DESCRIPTION, *(w for pair in HELPERS.values() for w in pair)]


async def test_nobody_is_named_in_the_log_when_a_whole_journey_is_logged_at_debug(
    harness: Harness, sessions: Sessions, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    with debug_logging(), caplog.at_level(logging.DEBUG):
        await journey(harness, sessions, clock)
        await send(harness, SEEKER, "/mydata", (NAME, USERNAME))
    assert any(r.name.startswith("aiogram") for r in caplog.records), "aiogram said nothing"
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    leaks = [w for w in words() if w in logged]
    assert leaks == [], [line for line in logged.splitlines() if any(w in line for w in leaks)][:5]


async def test_a_person_gets_a_file_of_their_data_when_they_send_mydata(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await journey(harness, sessions, clock)
    calls = await send(harness, SEEKER, "/mydata", (NAME, USERNAME))
    files = [c for c in calls if isinstance(c, SendDocument)]
    assert len(files) == 1 and isinstance(files[0].document, MadeWhenSent)
    assert files[0].document.filename == "lotse-my-data.json"
    data = json.loads(files[0].document.data)
    assert data["person"] == SEEKER
    assert data["tables"]["users"][0]["first_name"] == NAME
    assert data["tables"]["requests"][0]["description"] == DESCRIPTION
    text = json.dumps(data)
    for name, username in HELPERS.values():
        assert name not in text and username not in text


async def test_nothing_about_them_is_left_when_they_press_yes_after_forget(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await journey(harness, sessions, clock)
    me = (NAME, USERNAME)
    shown = texts(await send(harness, SEEKER, "/forget", me))
    assert "delete everything about you" in shown[0]
    calls = await press(harness, SEEKER, ForgetCb(yes=True).pack(), me)
    alerts = [c for c in calls if isinstance(c, AnswerCallbackQuery)]
    assert alerts and "Everything about you is deleted" in (alerts[0].text or "")
    async with sessions() as s:
        rows = await all_rows(s)
    assert traces(rows, SEEKER, [NAME, USERNAME, DESCRIPTION]) == []
    assert traces(rows, 601, [HELPERS[601][0]]) or traces(rows, 602, [HELPERS[602][0]])
    shown = texts(await send(harness, SEEKER, "/start", me))
    assert shown[0].startswith("Hello!")  # a fresh start


async def test_nothing_is_deleted_when_they_press_no_after_forget(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await ask(harness)
    await send(harness, SEEKER, "/forget", (NAME, USERNAME))
    calls = await press(harness, SEEKER, ForgetCb(yes=False).pack(), (NAME, USERNAME))
    assert "Nothing was deleted." in texts(calls)
    async with sessions() as s:
        assert (await s.get_one(User, SEEKER)).first_name == NAME
        assert (await s.scalar(select(HelpRequest.description))) == DESCRIPTION


async def test_a_coordinator_erases_a_person_and_the_audit_row_names_nobody_when_confirmed(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await ask(harness)
    shown = texts(await harness.send(COORDINATOR_ID, f"/erase @{USERNAME}"))
    assert NAME in shown[0]
    await harness.press(COORDINATOR_ID, EraseCb(user_id=SEEKER, yes=True).pack())
    async with sessions() as s:
        entry = await s.scalar(select(AuditEntry))
        rows = await all_rows(s)
    assert entry is not None and entry.action is AuditAction.PERSON_ERASED
    assert entry.target_user_id is not None and entry.target_user_id < 0
    assert traces(rows, SEEKER, [NAME, USERNAME, DESCRIPTION]) == []


async def test_a_coordinator_reads_counts_only_when_asking_for_the_privacy_report(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await ask(harness)
    shown = texts(await harness.send(COORDINATOR_ID, "/privacy_report"))
    assert "People who asked for help: 1" in shown[0]
    assert "Requests under 30 days old: 1" in shown[0]
    assert NAME not in shown[0]


async def test_a_silent_volunteer_stays_when_they_press_stay(
    harness: Harness, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 601, now=clock.now() - timedelta(days=400))
        assert (await run_retention(s, rules=rules, now=clock.now()))["asked"] == 1
    calls = await harness.press(601, StayCb(stay=True).pack())
    assert "Thank you! You stay a volunteer." in texts(calls)
    async with sessions() as s:
        volunteer = await s.get_one(Volunteer, 601)
    assert (volunteer.stay_asked_at, volunteer.active_at) == (None, clock.now())
