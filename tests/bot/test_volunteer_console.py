"""/volunteers through the real dispatcher: the filters, a page of the list and paging, a
volunteer's card as a new message, and each of the card's actions as a coordinator, with an
alert for a stale button. (A non-admin's command and buttons: tests/bot/test_admin_refusals.py
walks the router, so the list's and the card's buttons are in it.)"""

from __future__ import annotations

from typing import Any

from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import User, Volunteer
from db.role_models import AuditEntry
from handlers.console_callbacks import CardAction, VolunteerCardCb
from matching.status import AuditAction, VolunteerStatus
from services.clock import FrozenClock
from tests.bot.harness import Harness, buttons, texts
from tests.bot.test_admin_refusals import BUTTONS, COMMANDS
from tests.conftest import COORDINATOR_ID
from tests.factories import add_volunteer

Sessions = async_sessionmaker[AsyncSession]
FIRST = 101  # ten volunteers: 101..110, so the list has two pages


async def people(sessions: Sessions, clock: FrozenClock, n: int = 10) -> None:
    async with sessions() as s, s.begin():
        for user_id in range(FIRST, FIRST + n):
            await add_volunteer(s, user_id, now=clock.now())
        await add_volunteer(s, 200, now=clock.now(), status=VolunteerStatus.PENDING)
        eve = await s.get(User, FIRST)
        if eve is not None:
            eve.first_name = "<b>Eve</b>"


def card(action: CardAction, volunteer_id: int = FIRST) -> str:
    return VolunteerCardCb(action=action, volunteer_id=volunteer_id).pack()


def alerts(calls: list[TelegramMethod[Any]]) -> list[str]:
    return [c.text or "" for c in calls if isinstance(c, AnswerCallbackQuery) and c.show_alert]


async def status_of(sessions: Sessions, volunteer_id: int) -> VolunteerStatus:
    async with sessions() as s:
        volunteer = await s.get(Volunteer, volunteer_id)
        assert volunteer is not None
        return volunteer.status


async def audit_actions(sessions: Sessions) -> list[AuditAction]:
    async with sessions() as s:
        return list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def test_the_list_pages_through_the_filtered_volunteers_when_a_coordinator_asks(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await people(sessions, clock)
    summary = await harness.send(COORDINATOR_ID, "/volunteers")
    assert texts(summary)[0].endswith("10 volunteers")
    first = await harness.press(COORDINATOR_ID, dict(buttons(summary))["Show the list »"])
    text = texts(first)[0]
    assert text.startswith("Volunteers 1–8 of 10:")
    assert "&lt;b&gt;Eve&lt;/b&gt;" in text and "<b>Eve</b>" not in text
    shown = dict(buttons(first))
    assert len([t for t in shown if t.startswith("\u2068user")]) == 7
    assert "‹" not in shown and "« Filters" in shown
    second = await harness.press(COORDINATOR_ID, shown["›"])
    assert texts(second)[0].startswith("Volunteers 9–10 of 10:")
    assert "›" not in dict(buttons(second))
    back = await harness.press(COORDINATOR_ID, dict(buttons(second))["‹"])
    assert texts(back)[0] == text
    filters = await harness.press(COORDINATOR_ID, dict(buttons(second))["« Filters"])
    assert texts(filters)[0].startswith("Choose with the buttons:")


async def test_the_card_opens_as_a_new_message_with_the_activity_when_a_name_is_pressed(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await people(sessions, clock)
    opened = await harness.press(COORDINATOR_ID, card(CardAction.OPEN))
    [sent] = [c for c in opened if isinstance(c, SendMessage)]
    assert not [c for c in opened if isinstance(c, EditMessageText)]  # the list stays
    assert "Offers received: 0" in sent.text and "Meetings attended: 0" in sent.text
    assert [t for t, _data in buttons(opened)] == ["⭐ Make a Lotse", "⛔ Ban"]


async def test_the_card_shows_each_new_state_when_a_coordinator_bans_and_lifts_the_ban(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await people(sessions, clock)
    asked = await harness.press(COORDINATOR_ID, card(CardAction.BAN))
    assert texts(asked)[0].startswith("Ban \u2068&lt;b&gt;Eve&lt;/b&gt;\u2069? Their open offers")
    assert [t for t, _data in buttons(asked)] == ["⛔ Yes, ban", "No"]
    kept = await harness.press(COORDINATOR_ID, dict(buttons(asked))["No"])
    assert "Status: approved" in texts(kept)[0]
    assert await status_of(sessions, FIRST) is VolunteerStatus.APPROVED
    banned = await harness.press(COORDINATOR_ID, card(CardAction.BAN_SURE))
    assert "Status: banned" in texts(banned)[0]
    assert texts(banned)[-1] == "Banned. Offers withdrawn: 0. Requests given to others: 0."
    assert [t for t, _data in buttons(banned)] == ["Lift the ban"]
    again = await harness.press(COORDINATOR_ID, card(CardAction.BAN_SURE))  # a double tap
    assert alerts(again) == ["Nothing to change. The card now shows the current state."]
    lifted = await harness.press(COORDINATOR_ID, card(CardAction.UNBAN))
    assert "Status: approved" in texts(lifted)[0]
    assert texts(lifted)[-1] == "The ban is lifted. They can get requests again."
    stale = await harness.press(COORDINATOR_ID, card(CardAction.UNBAN))
    assert alerts(stale) == ["Nothing to change. The card now shows the current state."]
    assert await status_of(sessions, FIRST) is VolunteerStatus.APPROVED
    assert await audit_actions(sessions) == [
        AuditAction.VOLUNTEER_BANNED,
        AuditAction.VOLUNTEER_UNBANNED,
    ]


async def test_a_waiting_volunteer_is_decided_on_the_card_when_a_coordinator_approves(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await people(sessions, clock, n=0)
    opened = await harness.press(COORDINATOR_ID, card(CardAction.OPEN, 200))
    assert [t for t, _data in buttons(opened)] == ["✅ Approve", "✖ Reject"]
    approved = await harness.press(COORDINATOR_ID, card(CardAction.APPROVE, 200))
    assert "Status: approved" in texts(approved)[0]
    assert texts(approved)[-1] == "Approved."
    late = await harness.press(COORDINATOR_ID, card(CardAction.REJECT, 200))
    assert alerts(late) == ["Nothing to change. The card now shows the current state."]
    assert await status_of(sessions, 200) is VolunteerStatus.APPROVED
    assert await audit_actions(sessions) == [AuditAction.VOLUNTEER_APPROVED]


async def test_an_alert_says_so_when_the_card_of_nobody_is_pressed(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    for action in CardAction:
        shown = await harness.press(COORDINATOR_ID, card(action, 999))
        assert alerts(shown) == ["This volunteer does not exist."]
    assert await audit_actions(sessions) == []


def test_the_refusal_walk_covers_the_list_and_the_card_when_the_router_is_assembled() -> None:
    assert "volunteers" in COMMANDS
    assert VolunteerCardCb in BUTTONS
