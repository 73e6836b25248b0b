"""Coordinators through the real dispatcher: refusals for everybody else, the request views, the
escalation notice's buttons, volunteer approval and the Lotsen pool."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.areas import load_areas
from bot.config import Settings
from db.models import HelpRequest, User, Volunteer
from handlers.callbacks import ApproveCb, EscCb, LotseCb
from handlers.views.document import Document
from handlers.views.notices import make_renderer
from matching.status import RequestStatus, VolunteerStatus
from services.clock import FrozenClock
from services.outbox import Notice, from_json
from services.requests import submit_request
from services.rules import Rules
from tests.bot.harness import Harness, buttons, texts
from tests.conftest import COORDINATOR_ID
from tests.factories import add_user, add_volunteer, draft, event_kinds, outbox

Sessions = async_sessionmaker[AsyncSession]
SEEKER, HELPER, STRANGER = 501, 601, 777
ONLY = "This is only for coordinators."


async def escalated_request(sessions: Sessions, rules: Rules, clock: FrozenClock) -> HelpRequest:
    """A request nobody could be offered, so it reached the coordinators; and a volunteer from
    another district who could still take it."""
    async with sessions() as s, s.begin():
        await add_user(s, SEEKER, now=clock.now())
        request = (
            await submit_request(s, seeker_id=SEEKER, draft=draft(), rules=rules, now=clock.now())
        ).request
        assert request is not None
        await add_volunteer(s, HELPER, now=clock.now(), districts=("porz",))
        helper = await s.get(User, HELPER)
        assert helper is not None
        helper.username = "helper_anna"
        return request


async def status_of(sessions: Sessions, request_id: int) -> RequestStatus:
    async with sessions() as s:
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        return request.status


@pytest.mark.parametrize(
    "command",
    [
        "/pending",
        "/open",
        "/request ABC",
        "/escalate ABC",
        "/assign ABC @a",
        "/lotse @a",
        "/unlotse 1",
        "/volunteer @a",
    ],
)
async def test_non_coordinator_is_refused_when_using_a_coordinator_command(
    harness: Harness, command: str
) -> None:
    assert texts(await harness.send(STRANGER, command)) == [ONLY]


async def test_nothing_changes_when_a_non_coordinator_forges_coordinator_buttons(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    request = await escalated_request(sessions, rules, clock)
    async with sessions() as s, s.begin():
        await add_volunteer(s, 602, now=clock.now(), status=VolunteerStatus.PENDING)
    forged = [
        EscCb(action="pick", request_id=request.id, value=HELPER),
        EscCb(action="extend", request_id=request.id),
        EscCb(action="reason", request_id=request.id, value=0),
        EscCb(action="assign", request_id=request.id),
        ApproveCb(action="approve", volunteer_id=602),
        LotseCb(action="set", volunteer_id=HELPER),
    ]
    for data in forged:
        assert texts(await harness.press(STRANGER, data.pack())) == [ONLY]
    assert await status_of(sessions, request.id) is RequestStatus.OPEN
    async with sessions() as s:
        assert await outbox(s, kind=Notice.VOLUNTEER_ASSIGNED) == []
        assert "extended" not in await event_kinds(s, request.id)
        pending = await s.get(Volunteer, 602)
        helper = await s.get(Volunteer, HELPER)
        assert pending is not None and pending.status is VolunteerStatus.PENDING
        assert helper is not None and not helper.is_lotse


async def test_open_lists_the_request_with_its_tier_and_age_when_one_waits(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    request = await escalated_request(sessions, rules, clock)
    clock.advance(timedelta(hours=3))
    [shown] = texts(await harness.send(COORDINATOR_ID, "/open"))
    assert request.ref in shown
    assert "tier 2: coordinators" in shown and "3 hours ago" in shown
    assert "Furniture and moving" in shown


async def test_open_says_so_when_nothing_is_open(harness: Harness) -> None:
    assert texts(await harness.send(COORDINATOR_ID, "/open")) == ["No open requests. 🎉"]


async def test_request_shows_summary_history_and_actions_when_given_its_ref(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    request = await escalated_request(sessions, rules, clock)
    calls = await harness.send(COORDINATOR_ID, f"/request {request.ref.lower()}")
    [shown] = texts(calls)
    assert request.ref in shown and "Help assembling a wardrobe" in shown
    assert "request created" in shown and "coordinators notified" in shown
    actions = [data for _label, data in buttons(calls)]
    assert EscCb(action="assign", request_id=request.id).pack() in actions
    assert EscCb(action="extend", request_id=request.id).pack() in actions


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/request", "Which request?"),
        ("/request NOPE", "There is no request"),
        ("/escalate", "Which request?"),
        ("/assign X", "Which request, and to whom?"),
        ("/assign NOPE @helper_anna", "There is no request"),
        ("/lotse abc", "Please give the volunteer's Telegram id or @username"),
        ("/lotse", "Please give the volunteer's"),
        ("/volunteer @nobody", "There is no volunteer"),
        ("/unlotse 424242", "There is no volunteer"),
    ],
)
async def test_coordinator_gets_a_clear_answer_when_arguments_are_wrong(
    harness: Harness, command: str, answer: str
) -> None:
    [shown] = texts(await harness.send(COORDINATOR_ID, command))
    assert answer in shown


async def test_volunteer_and_seeker_are_told_when_a_coordinator_assigns_from_the_notice(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    request = await escalated_request(sessions, rules, clock)
    listed = await harness.press(
        COORDINATOR_ID, EscCb(action="assign", request_id=request.id).pack()
    )
    pick = EscCb(action="pick", request_id=request.id, value=HELPER).pack()
    assert pick in [data for _label, data in buttons(listed)]
    calls = await harness.press(COORDINATOR_ID, pick)
    assert "assigned request" in texts(calls)[0] and buttons(calls) == []
    assert await status_of(sessions, request.id) is RequestStatus.ASSIGNED
    async with sessions() as s:
        [assigned] = await outbox(s, kind=Notice.VOLUNTEER_ASSIGNED, chat_id=HELPER)
        assert assigned.payload["seeker_id"] == SEEKER
        assert len(await outbox(s, kind=Notice.SEEKER_MATCHED, chat_id=SEEKER)) == 1
    again = await harness.press(COORDINATOR_ID, pick)
    assert "Too late. A volunteer has this request now." in texts(again)[0]


async def test_seeker_hears_the_reason_kindly_when_a_coordinator_closes_from_the_notice(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock, settings: Settings
) -> None:
    request = await escalated_request(sessions, rules, clock)
    reasons = await harness.press(
        COORDINATOR_ID, EscCb(action="close", request_id=request.id).pack()
    )
    labels = [label for label, _data in buttons(reasons)]
    assert "Solved otherwise" in labels
    reason = EscCb(action="reason", request_id=request.id, value=1).pack()
    calls = await harness.press(COORDINATOR_ID, reason)
    assert "closed request" in texts(calls)[0] and "Solved otherwise" in texts(calls)[0]
    assert await status_of(sessions, request.id) is RequestStatus.CLOSED
    async with sessions() as s:
        [closed] = await outbox(s, kind=Notice.SEEKER_CLOSED, chat_id=SEEKER)
    render = make_renderer(
        I18n(path=settings.locales_dir, default_locale="en"),
        load_areas(settings.areas_file),
        rules.tz,
    )
    shown = render(from_json(closed.kind, closed.payload), "en")
    assert not isinstance(shown, Document)
    assert "solved in another way" in shown[0]


async def test_notice_says_who_extended_when_a_coordinator_extends(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    request = await escalated_request(sessions, rules, clock)
    calls = await harness.press(
        COORDINATOR_ID, EscCb(action="extend", request_id=request.id).pack(), name="Clara"
    )
    assert "Clara" in texts(calls)[0] and "extended request" in texts(calls)[0]
    again = await harness.press(
        COORDINATOR_ID, EscCb(action="extend", request_id=request.id).pack()
    )
    assert "Already handled" in texts(again)[0]


async def test_request_moves_on_when_a_coordinator_escalates_it(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    request = await escalated_request(sessions, rules, clock)
    [shown] = texts(await harness.send(COORDINATOR_ID, f"/escalate {request.ref}"))
    assert "moved on" in shown and "tier 2" in shown
    async with sessions() as s:
        assert (await event_kinds(s, request.id))[-1] == "escalated"


async def test_request_is_assigned_when_a_coordinator_names_ref_and_volunteer(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    request = await escalated_request(sessions, rules, clock)
    [shown] = texts(await harness.send(COORDINATOR_ID, f"/assign {request.ref} @Helper_Anna"))
    assert "is assigned to" in shown
    assert await status_of(sessions, request.id) is RequestStatus.ASSIGNED


async def test_volunteer_is_approved_when_a_coordinator_presses_approve_in_pending(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 602, now=clock.now(), status=VolunteerStatus.PENDING)
    listed = await harness.send(COORDINATOR_ID, "/pending")
    assert "New volunteer" in texts(listed)[0]
    approve = ApproveCb(action="approve", volunteer_id=602).pack()
    assert approve in [data for _label, data in buttons(listed)]
    calls = await harness.press(COORDINATOR_ID, approve)
    assert "was approved" in texts(calls)[0]
    again = await harness.press(COORDINATOR_ID, approve)
    assert "This was already decided. The volunteer is approved." in texts(again)[0]
    async with sessions() as s:
        volunteer = await s.get(Volunteer, 602)
        assert volunteer is not None and volunteer.status is VolunteerStatus.APPROVED
    assert texts(await harness.send(COORDINATOR_ID, "/pending")) == [
        "Nobody is waiting for approval."
    ]


async def lotse_flag(sessions: Sessions) -> bool:
    async with sessions() as s:
        return bool(await s.scalar(select(Volunteer.is_lotse).where(Volunteer.user_id == HELPER)))


async def test_volunteer_joins_and_leaves_the_lotsen_when_a_coordinator_says_so(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    await escalated_request(sessions, rules, clock)
    assert "is now a Lotse" in texts(await harness.send(COORDINATOR_ID, "/lotse @helper_anna"))[0]
    assert await lotse_flag(sessions)
    assert "no longer a Lotse" in texts(await harness.send(COORDINATOR_ID, f"/unlotse {HELPER}"))[0]
    assert not await lotse_flag(sessions)


async def test_volunteer_card_toggles_lotse_when_its_button_is_pressed(
    harness: Harness, sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    await escalated_request(sessions, rules, clock)
    calls = await harness.send(COORDINATOR_ID, f"/volunteer {HELPER}")
    [card] = texts(calls)
    assert "Lotse: no" in card and "Porz" in card and "Asked 0 times in the last 7 days." in card
    [(_label, data), (ban, _data)] = buttons(calls)
    assert ban == "⛔ Ban"
    after = await harness.press(COORDINATOR_ID, data)
    assert "Lotse: yes" in texts(after)[0]
    assert await lotse_flag(sessions)
