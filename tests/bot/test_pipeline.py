"""The update pipeline through the real dispatcher (bot/throttle.py, bot/middlewares.py,
bot/replies.py, bot/sender.py): double taps, rollback on failure, no Telegram call inside a
transaction, the flood guard, order per chat, duplicate updates, and the answer rows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChat,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Message
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from db.models import FsmRecord, HelpRequest, Offer, OutboxMessage, OutboxStatus, User, Volunteer
from handlers.callbacks import (
    ApproveCb,
    LangCb,
    MenuCb,
    OfferCb,
    PickCb,
    TaskCb,
    ToggleCb,
)
from matching.status import OfferStatus, RequestStatus, VolunteerStatus
from services.clock import FrozenClock
from services.outbox import Notice
from services.rules import Rules
from tests.bot.conftest import build_harness
from tests.bot.harness import Harness, RecordingSession, texts
from tests.bot.test_seeker import DESCRIPTION, SEEKER, count, volunteers
from tests.conftest import COORDINATOR_ID, T0
from tests.factories import add_volunteer

Sessions = async_sessionmaker[AsyncSession]
SORRY = "Sorry, something went wrong"
SLOW_DOWN = "You are sending messages very fast"
OTHER = 502


class TelegramLikeSession(RecordingSession):
    """Like Telegram, refuses an edit that would leave a message as it is."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: dict[tuple[int, int], tuple[str, str]] = {}
        self.not_modified = 0

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            key = (int(method.chat_id or 0), int(method.message_id or 0))
            markup = method.reply_markup.model_dump_json() if method.reply_markup else ""
            old_text, old_markup = self._shown.get(key, ("", ""))
            text = (method.text or "") if isinstance(method, EditMessageText) else old_text
            if (text, markup) == (old_text, old_markup):
                self.not_modified += 1
                raise TelegramBadRequest(
                    method=method,
                    message="Bad Request: message is not modified: specified new message "
                    "content and reply markup are exactly the same",
                )
            self._shown[key] = (text, markup)
        return await super().make_request(bot, method, timeout)


def build(
    settings: Settings, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> tuple[Harness, TelegramLikeSession]:
    transport = TelegramLikeSession()
    return build_harness(settings, sessions, clock, rules, transport), transport


@pytest.fixture
async def harness(
    settings: Settings, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> AsyncIterator[Harness]:
    h, _transport = build(settings, sessions, clock, rules)
    yield h
    await h.bot.session.close()


async def tap_twice(h: Harness, user_id: int, data: str) -> tuple[list[str], list[str]]:
    """Two presses of one button, arriving together as a quick double tap does."""
    first, second = h.press_update(user_id, data), h.press_update(user_id, data)
    start = len(h.transport.calls)
    task = asyncio.create_task(h.dp.feed_raw_update(h.bot, first))
    await h.dp.feed_raw_update(h.bot, second)
    await task
    if h.settle is not None:  # the sender records what it sent in the background
        await h.settle()
    calls = h.transport.calls[start:]
    ids = {str(first["callback_query"]["id"]): 0, str(second["callback_query"]["id"]): 1}
    shown: tuple[list[str], list[str]] = ([], [])
    for call in calls:  # an edit belongs to the press whose toast follows it
        if isinstance(call, AnswerCallbackQuery):
            shown[ids[call.callback_query_id]].append(call.text or "")
        elif isinstance(call, SendMessage | EditMessageText):
            shown[0].append(call.text or "")
    assert not any(SORRY in text for text in shown[0] + shown[1]), shown
    return shown


async def outbox_answers(sessions: Sessions) -> list[OutboxMessage]:
    async with sessions() as s:
        query = select(OutboxMessage).where(OutboxMessage.kind == Notice.ANSWER.value)
        return list((await s.scalars(query.order_by(OutboxMessage.id))).all())


async def answer_ids(sessions: Sessions) -> list[int]:
    return [row.id for row in await outbox_answers(sessions)]


async def test_no_form_button_fails_when_each_is_tapped_twice(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    await volunteers(sessions, clock, 3)
    await harness.send(SEEKER, "/start")
    await tap_twice(harness, SEEKER, MenuCb(action="seek").pack())
    await tap_twice(harness, SEEKER, PickCb(field="skill", value="furniture").pack())
    await tap_twice(harness, SEEKER, PickCb(field="district", value="ehrenfeld").pack())
    await tap_twice(harness, SEEKER, PickCb(field="when", value="week").pack())
    await harness.send(SEEKER, DESCRIPTION)
    await tap_twice(harness, SEEKER, PickCb(field="consent", value="yes").pack())
    await tap_twice(harness, SEEKER, PickCb(field="confirm", value="send").pack())
    assert await count(sessions, HelpRequest) == 1
    assert await count(sessions, Offer) == 3
    # Every answer went out; edits that would not change anything count as sent.
    assert {row.status for row in await outbox_answers(sessions)} == {OutboxStatus.SENT}


async def accepted_task(h: Harness, sessions: Sessions, clock: FrozenClock) -> tuple[int, int]:
    """A submitted request whose first offer was accepted: (volunteer, request id)."""
    await volunteers(sessions, clock, 3)
    await h.send(SEEKER, "/start")
    for data in (
        MenuCb(action="seek").pack(),
        PickCb(field="skill", value="furniture").pack(),
        PickCb(field="district", value="ehrenfeld").pack(),
        PickCb(field="when", value="week").pack(),
    ):
        await h.press(SEEKER, data)
    await h.send(SEEKER, DESCRIPTION)
    await h.press(SEEKER, PickCb(field="consent", value="yes").pack())
    await h.press(SEEKER, PickCb(field="confirm", value="send").pack())
    async with sessions() as s:
        offer = await s.scalar(select(Offer).order_by(Offer.id))
        assert offer is not None
    await h.press(offer.volunteer_id, OfferCb(action="accept", offer_id=offer.id).pack())
    return offer.volunteer_id, offer.request_id


async def test_accept_and_decline_are_harmless_when_tapped_twice(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    volunteer, request_id = await accepted_task(harness, sessions, clock)
    async with sessions() as s:
        offers = {o.volunteer_id: o for o in await s.scalars(select(Offer))}
    mine = offers[volunteer]
    await tap_twice(harness, volunteer, OfferCb(action="accept", offer_id=mine.id).pack())
    other = next(o for v, o in offers.items() if v != volunteer)
    await tap_twice(
        harness, other.volunteer_id, OfferCb(action="decline", offer_id=other.id).pack()
    )
    async with sessions() as s:
        statuses = {o.volunteer_id: o.status for o in await s.scalars(select(Offer))}
        request = await s.get_one(HelpRequest, request_id)
    assert statuses[volunteer] is OfferStatus.ACCEPTED
    assert request.status is RequestStatus.ASSIGNED


async def test_done_is_harmless_when_tapped_twice(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    volunteer, request_id = await accepted_task(harness, sessions, clock)
    first, _second = await tap_twice(
        harness, volunteer, TaskCb(action="done", request_id=request_id).pack()
    )
    assert any("Marked as done" in text for text in first)
    async with sessions() as s:
        assert (await s.get_one(HelpRequest, request_id)).status is RequestStatus.DONE


async def test_release_is_harmless_when_each_of_its_buttons_is_tapped_twice(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    volunteer, request_id = await accepted_task(harness, sessions, clock)
    transport = harness.transport
    assert isinstance(transport, TelegramLikeSession)
    await tap_twice(harness, volunteer, TaskCb(action="release", request_id=request_id).pack())
    assert transport.not_modified == 1  # the same keyboard again: Telegram refuses, we don't mind
    await tap_twice(harness, volunteer, TaskCb(action="release_sure", request_id=request_id).pack())
    async with sessions() as s:
        request = await s.get_one(HelpRequest, request_id)
    assert request.status is RequestStatus.OPEN and request.assignee_id is None
    assert {row.status for row in await outbox_answers(sessions)} == {OutboxStatus.SENT}


async def test_volunteer_save_is_harmless_when_tapped_twice(
    harness: Harness, sessions: Sessions
) -> None:
    volunteer = 650
    await harness.send(volunteer, "/start")
    await harness.press(volunteer, MenuCb(action="help").pack())
    for field, value in (("skills", "furniture"), ("districts", "ehrenfeld"), ("languages", "de")):
        await harness.press(volunteer, ToggleCb(field=field, value=value).pack())
        if field != "languages":
            await harness.press(volunteer, ToggleCb(field=field, value="").pack())
    first, _second = await tap_twice(
        harness, volunteer, ToggleCb(field="languages", value="").pack()
    )
    assert any("Thank you" in text for text in first)
    async with sessions() as s:
        saved = await s.get_one(Volunteer, volunteer)
        assert saved.status is VolunteerStatus.PENDING


async def test_approve_is_harmless_when_tapped_twice(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 602, now=clock.now(), status=VolunteerStatus.PENDING)
    approve = ApproveCb(action="approve", volunteer_id=602).pack()
    first, second = await tap_twice(harness, COORDINATOR_ID, approve)
    assert any("already decided" in text for text in first + second), (first, second)
    async with sessions() as s:
        assert (await s.get_one(Volunteer, 602)).status is VolunteerStatus.APPROVED


async def test_an_identical_edit_is_recorded_as_sent_when_language_is_tapped_twice(
    harness: Harness, sessions: Sessions
) -> None:
    transport = harness.transport
    assert isinstance(transport, TelegramLikeSession)
    await harness.send(SEEKER, "/language")
    await tap_twice(harness, SEEKER, LangCb(code="de").pack())
    assert transport.not_modified == 1
    async with sessions() as s:
        assert (await s.get_one(User, SEEKER)).locale == "de"
    answers = await outbox_answers(sessions)
    # The picker, two edits, and one greeting in the chosen language (the first tap's).
    assert [row.status for row in answers] == [OutboxStatus.SENT] * 4


# A handler that fails after it changed things: what a bug in any handler does.
FAILING = 503
FAILING_USER = 888_888


async def fail_after_changes(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await message.answer("Your change is done.")
    await state.set_state("test:after")
    session.add(User(id=FAILING_USER, created_at=T0))
    await session.flush()
    raise RuntimeError("a bug after the changes")


async def ask_telegram(message: Message, bot: Bot) -> None:
    await message.answer("Looking you up.")
    await bot.get_chat(message.chat.id)  # needs Telegram's answer: not inside a transaction


async def test_everything_is_rolled_back_and_one_line_said_when_a_handler_fails(
    harness: Harness, sessions: Sessions
) -> None:
    harness.dp.message.register(fail_after_changes, Command("boom"))
    await harness.send(FAILING, "/start")
    answered = await answer_ids(sessions)
    calls = await harness.send(FAILING, "/boom")
    assert texts(calls) == [
        "Sorry, something went wrong on our side. Nothing was saved. Please try again."
    ]
    async with sessions() as s:
        assert await s.get(User, FAILING_USER) is None
        states = (await s.scalars(select(FsmRecord.state))).all()
    assert "test:after" not in states
    assert await answer_ids(sessions) == answered  # nothing of the failed update was kept
    assert not any("change is done" in t for t in texts(harness.transport.calls))


async def test_a_call_that_needs_telegrams_answer_fails_when_made_in_a_transaction(
    harness: Harness, sessions: Sessions
) -> None:
    harness.dp.message.register(ask_telegram, Command("whoami"))
    answered = await answer_ids(sessions)
    calls = await harness.send(FAILING, "/whoami")
    assert not any(isinstance(call, GetChat) for call in calls), "nothing sent inside"
    assert [type(call) for call in calls] == [SendMessage]
    assert SORRY in texts(calls)[0] and "Looking you up" not in texts(calls)[0]
    assert await answer_ids(sessions) == answered


async def test_a_duplicate_update_does_nothing_when_telegram_delivers_it_again(
    harness: Harness, sessions: Sessions
) -> None:
    update = harness.message_update(SEEKER, {"text": "hello"})
    first = await harness.feed(update)
    assert texts(first)
    rows = await answer_ids(sessions)
    assert await harness.feed(dict(update)) == []
    assert await answer_ids(sessions) == rows


async def test_answer_rows_are_sent_with_telegrams_message_ids_when_an_update_is_handled(
    harness: Harness, sessions: Sessions
) -> None:
    update = harness.message_update(
        SEEKER, {"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
    )
    await harness.feed(update)
    await harness.send(SEEKER, "/help")
    rows = await outbox_answers(sessions)
    assert len(rows) == 2
    assert [row.dedupe_key for row in rows] == [
        f"answer:{update['update_id']}:0",
        rows[1].dedupe_key,
    ]
    assert all(row.status is OutboxStatus.SENT for row in rows)
    assert [row.message_id for row in rows] == [1000, 1001]
    assert all(row.sent_at is not None for row in rows)


async def echo(message: Message, session: AsyncSession) -> None:
    await session.scalar(select(func.count()).select_from(User))  # a yield to other tasks
    await asyncio.sleep(0)
    await message.answer(f"got {message.text}")


async def test_updates_of_one_chat_are_handled_in_order_when_they_arrive_together(
    harness: Harness,
) -> None:
    harness.dp.message.register(echo, F.text.startswith("n"))
    updates = [harness.message_update(SEEKER, {"text": f"n{i}"}) for i in range(20)]
    start = len(harness.transport.calls)
    await asyncio.gather(*(harness.dp.feed_raw_update(harness.bot, u) for u in updates))
    shown = texts(harness.transport.calls[start:])
    assert shown == [f"got n{i}" for i in range(20)]


@pytest.fixture
async def flood_harness(
    settings: Settings, sessions: Sessions, clock: FrozenClock, rules: Rules
) -> AsyncIterator[Harness]:
    guarded = settings.model_copy(update={"flood_burst": 5, "flood_rate": 1.0})
    h, _transport = build(guarded, sessions, clock, rules)
    yield h
    await h.bot.session.close()


async def test_others_are_answered_quickly_and_the_flooder_warned_once_when_one_floods(
    flood_harness: Harness,
) -> None:
    h = flood_harness
    await h.send(OTHER, "/help")  # their first contact (a new user row) before the clock starts
    flood = [h.message_update(SEEKER, {"text": "hello"}) for _ in range(60)]
    tasks = [asyncio.create_task(h.dp.feed_raw_update(h.bot, u)) for u in flood]
    waits: list[float] = []
    for _ in range(4):
        started = time.monotonic()
        calls = await h.send(OTHER, "/help")
        waits.append(time.monotonic() - started)
        assert any(isinstance(c, SendMessage) and c.chat_id == OTHER for c in calls)
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert max(waits) < 0.5, waits  # a starvation bound, not a benchmark
    to_flooder = [
        c.text for c in h.transport.calls if isinstance(c, SendMessage) and c.chat_id == SEEKER
    ]
    assert sum(SLOW_DOWN in text for text in to_flooder) == 1
    assert len(to_flooder) < 60
