"""Every person's name, in every message that shows one, is isolated: a right-to-left override
in a first name (U+202E) cannot reverse the rest of the line it is shown in."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.methods import TelegramMethod
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.areas import load_areas
from bot.config import Settings
from db.models import HelpRequest, OutboxMessage, User
from handlers.callbacks import ApproveCb, EscCb, LotseCb, MenuCb, OfferCb, ToggleCb
from handlers.views.notices import make_renderer
from matching.text import FSI, PDI
from services.clock import FrozenClock
from services.outbox import PAYLOADS, Notice, Payload, from_json
from services.outbox.codec import keys
from services.requests import submit_request
from services.rules import Rules
from tests.bot.harness import Harness, buttons, texts
from tests.conftest import COORDINATOR_ID, T0
from tests.factories import add_offer, add_user, add_volunteer, draft

Sessions = async_sessionmaker[AsyncSession]
SEEKER, HELPER, NEWCOMER = 501, 601, 603
RLO = "\u202e"
# (as Telegram sends it, as it must be shown between FSI and PDI)
SEEKER_NAME = (f"Sara{RLO}lime.exe", "Saralime.exe")
HELPER_NAME = (f"Vic{RLO}tor\u2066", "Victor")
COORDINATOR_NAME = (f"Clara{RLO}\x00 K.", "Clara K.")
NEWCOMER_NAME = (f"\u200fNew{RLO}comer", "Newcomer")


def shown(name: tuple[str, str]) -> str:
    return f"{FSI}{name[1]}{PDI}"


def assert_isolated(text: str, *names: tuple[str, str]) -> None:
    assert RLO not in text, text
    for name in names:
        assert shown(name) in text, (shown(name), text)


@pytest.fixture
def render(settings: Settings, rules: Rules) -> Any:
    i18n = I18n(path=settings.locales_dir, default_locale="en")
    return make_renderer(i18n, load_areas(settings.areas_file), rules.tz)


PAYLOAD: dict[str, Any] = {
    "request_id": 7,
    "offer_id": 9,
    "ref": "K7M2QP",
    "skill": "furniture",
    "district": "ehrenfeld",
    "when_kind": "week",
    "when_date": None,
    "description": "Ein Schrank",
    "language": "de",
    "seeker_id": SEEKER,
    "seeker_name": SEEKER_NAME[0],
    "volunteer_id": HELPER,
    "volunteer_name": HELPER_NAME[0],
    "name": HELPER_NAME[0],
    "username": "vic_tor",
    "skills": ["furniture"],
    "districts": ["ehrenfeld"],
    "languages": ["de"],
    "approved": True,
    "by": COORDINATOR_ID,
    "by_name": COORDINATOR_NAME[0],
    "history": [],
    "reason": "solved",
    "chat_id": SEEKER,
    "failed_kind": "offer",
    "error": "Forbidden",
    "urgent": False,
    "tier": 0,
    "notice": 1,
    "meeting_id": 3,
    "occurrence": "2026-03-26T17:30:00+00:00",
    "title": "Helpers",
    "place": "Bürgerhaus",
    "duration_minutes": 90,
    "offset_minutes": 60,
    "weekly": True,
    "tz": "Europe/Berlin",
    "skipped": [],
    "invitation": False,
    "day": "2026-03-30",
    "broadcast_id": 4,
    "text": "Summer party on Friday",
    "total": 9,
    "sent": 5,
    "failed": 1,
    "left": 3,
    "not_sent": 0,
    "state": "running",
}


def payload_of(kind: Notice) -> Payload:
    """The kind's payload, from those of the values above that it carries."""
    wanted = keys(PAYLOADS[kind])
    return from_json(kind, {key: value for key, value in PAYLOAD.items() if key in wanted})


NAMES_IN: dict[Notice, tuple[tuple[str, str], ...]] = {
    Notice.VOLUNTEER_ASSIGNED: (SEEKER_NAME,),
    Notice.SEEKER_MATCHED: (HELPER_NAME,),
    Notice.APPROVAL_REQUEST: (HELPER_NAME, ("@vic_tor", "@vic_tor")),
    Notice.APPROVAL_DONE: (HELPER_NAME, COORDINATOR_NAME),
    Notice.ASSIGNMENT_REMINDER_VOLUNTEER: (SEEKER_NAME,),
    Notice.ASSIGNMENT_REMINDER_SEEKER: (HELPER_NAME,),
}


# ANSWER rows hold a Bot API call the handler already rendered: the dispatcher tests below cover
# what handlers write.
@pytest.mark.parametrize("kind", [kind for kind in Notice if kind is not Notice.ANSWER])
def test_every_pushed_message_isolates_its_names_when_rendered(render: Any, kind: Notice) -> None:
    for locale in ("en", "de"):
        text, keyboard = render(payload_of(kind), locale)
        assert_isolated(text, *NAMES_IN.get(kind, ()))
        if keyboard is not None:
            assert_isolated(" ".join(b.text for row in keyboard.inline_keyboard for b in row))


async def people(sessions: Sessions, clock: FrozenClock, rules: Rules) -> HelpRequest:
    """A seeker whose request reached the coordinators, and a volunteer who could take it; both
    with a right-to-left override in their first name."""
    async with sessions() as s, s.begin():
        seeker = await add_user(s, SEEKER, now=clock.now())
        seeker.first_name = SEEKER_NAME[0]
        request = (
            await submit_request(s, seeker_id=SEEKER, draft=draft(), rules=rules, now=clock.now())
        ).request
        assert request is not None
        await add_volunteer(s, HELPER, now=clock.now(), districts=("porz",))
        helper = await s.get(User, HELPER)
        assert helper is not None
        helper.first_name, helper.username = HELPER_NAME[0], "vic_tor"
        return request


async def coordinator(h: Harness, data_or_text: str, press: bool = False) -> list[str]:
    calls: list[TelegramMethod[Any]]
    if press:
        calls = await h.press(COORDINATOR_ID, data_or_text, name=COORDINATOR_NAME[0])
    else:
        calls = await h.send(COORDINATOR_ID, data_or_text, name=COORDINATOR_NAME[0])
    labels = [label for label, _data in buttons(calls)]
    return [*texts(calls), " ".join(labels)]


async def rendered_outbox(sessions: Sessions, render: Any, kind: Notice) -> list[str]:
    async with sessions() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))
        return [render(from_json(row.kind, row.payload), "en")[0] for row in rows]


async def test_names_are_isolated_when_a_coordinator_assigns_and_everybody_is_told(
    harness: Harness, sessions: Sessions, clock: FrozenClock, rules: Rules, render: Any
) -> None:
    request = await people(sessions, clock, rules)
    assign = EscCb(action="assign", request_id=request.id).pack()
    pick = EscCb(action="pick", request_id=request.id, value=HELPER).pack()
    [_hint, labels] = await coordinator(harness, assign, press=True)
    assert_isolated(labels, HELPER_NAME)
    [line, _none] = await coordinator(harness, pick, press=True)
    assert_isolated(line, COORDINATOR_NAME, HELPER_NAME)
    [_open, assigned, _none] = await coordinator(harness, "/open")
    assert_isolated(assigned, HELPER_NAME)
    [card, _buttons] = await coordinator(harness, f"/request {request.ref}")
    assert_isolated(card, HELPER_NAME)
    [mytask] = texts(await harness.send(HELPER, "/mytasks", name=HELPER_NAME[0]))
    assert_isolated(mytask, SEEKER_NAME)
    for text in await rendered_outbox(sessions, render, Notice.VOLUNTEER_ASSIGNED):
        assert_isolated(text, SEEKER_NAME)
    for text in await rendered_outbox(sessions, render, Notice.SEEKER_MATCHED):
        assert_isolated(text, HELPER_NAME)


async def test_names_are_isolated_when_a_volunteer_accepts_an_offer(
    harness: Harness, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> None:
    request = await people(sessions, clock, rules)
    async with sessions() as s, s.begin():
        offer = await add_offer(s, request_id=request.id, volunteer_id=HELPER, created_at=T0)
    accept = OfferCb(action="accept", offer_id=offer.id).pack()
    [taken] = texts(await harness.press(HELPER, accept, name=HELPER_NAME[0]))
    assert_isolated(taken, SEEKER_NAME)


async def test_names_are_isolated_when_a_coordinator_extends_closes_or_assigns_by_command(
    harness: Harness, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> None:
    first = await people(sessions, clock, rules)
    async with sessions() as s, s.begin():
        second = (
            await submit_request(s, seeker_id=SEEKER, draft=draft(), rules=rules, now=clock.now())
        ).request
        third = (
            await submit_request(s, seeker_id=SEEKER, draft=draft(), rules=rules, now=clock.now())
        ).request
    assert second is not None and third is not None
    extend = EscCb(action="extend", request_id=first.id).pack()
    assert_isolated((await coordinator(harness, extend, press=True))[0], COORDINATOR_NAME)
    close = EscCb(action="reason", request_id=second.id, value=1).pack()
    assert_isolated((await coordinator(harness, close, press=True))[0], COORDINATOR_NAME)
    [assigned, _none] = await coordinator(harness, f"/assign {third.ref} @vic_tor")
    assert_isolated(assigned, HELPER_NAME)


async def test_names_are_isolated_on_the_volunteer_card_and_in_lotse_answers(
    harness: Harness, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> None:
    await people(sessions, clock, rules)
    [card, _labels] = await coordinator(harness, f"/volunteer {HELPER}")
    assert_isolated(card, HELPER_NAME, ("@vic_tor", "@vic_tor"))
    [made, _none] = await coordinator(harness, "/lotse @vic_tor")
    assert_isolated(made, HELPER_NAME)
    unset = LotseCb(action="unset", volunteer_id=HELPER).pack()
    texts_ = await coordinator(harness, unset, press=True)
    assert_isolated(" ".join(texts_), HELPER_NAME)


async def signed_up(h: Harness, user_id: int, name: str) -> None:
    """A volunteer signs up through the bot, so the coordinators are asked to approve."""
    await h.press(user_id, MenuCb(action="help").pack(), name=name)
    for field, value in (("skills", "furniture"), ("districts", "kalk"), ("languages", "de")):
        await h.press(user_id, ToggleCb(field=field, value=value).pack(), name=name)
        await h.press(user_id, ToggleCb(field=field, value="").pack(), name=name)


async def test_approval_card_names_the_coordinator_not_their_id_when_approved(
    harness: Harness, sessions: Sessions, render: Any
) -> None:
    await signed_up(harness, NEWCOMER, NEWCOMER_NAME[0])
    for text in await rendered_outbox(sessions, render, Notice.APPROVAL_REQUEST):
        assert_isolated(text, NEWCOMER_NAME)
    [pending, _labels] = await coordinator(harness, "/pending")
    assert_isolated(pending, NEWCOMER_NAME)
    approve = ApproveCb(action="approve", volunteer_id=NEWCOMER).pack()
    edited, _toast, _none = await coordinator(harness, approve, press=True)
    assert_isolated(edited, NEWCOMER_NAME, COORDINATOR_NAME)
    assert f">{COORDINATOR_ID}<" not in edited and "was approved by" in edited
    done = await rendered_outbox(sessions, render, Notice.APPROVAL_DONE)
    assert done
    for text in done:
        assert_isolated(text, NEWCOMER_NAME, COORDINATOR_NAME)
        assert f">{COORDINATOR_ID}<" not in text


async def test_names_from_telegram_are_stored_cleaned_when_a_person_writes(
    harness: Harness, sessions: Sessions
) -> None:
    await harness.send(SEEKER, "/start", name="Ann\x00a\ud800 Ko\u0308ln")
    async with sessions() as s:
        user = await s.get(User, SEEKER)
    assert user is not None and user.first_name == "Anna Köln"
