"""The seeker's intake through the real dispatcher."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from aiogram.methods import AnswerCallbackQuery, EditMessageText, TelegramMethod
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import FsmRecord, HelpRequest, Offer, OutboxMessage
from handlers.callbacks import MenuCb, NavCb, OfferCb, PickCb
from matching.status import OfferStatus, RequestStatus
from services.clock import FrozenClock
from tests.bot.harness import Harness, buttons, texts
from tests.conftest import T0
from tests.factories import add_volunteer

SEEKER = 501
DESCRIPTION = "Ich brauche Hilfe beim Aufbau von einem Schrank und zwei Betten."


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def volunteers(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, n: int
) -> list[int]:
    ids = list(range(601, 601 + n))
    async with sessions() as session, session.begin():
        for user_id in ids:
            await add_volunteer(session, user_id, now=clock.now())
    return ids


async def fill_until_description(h: Harness) -> None:
    await h.send(SEEKER, "/start")
    await h.press(SEEKER, MenuCb(action="seek").pack())
    await h.press(SEEKER, PickCb(field="skill", value="furniture").pack())
    await h.press(SEEKER, PickCb(field="district", value="ehrenfeld").pack())
    await h.press(SEEKER, PickCb(field="when", value="week").pack())


async def send_at(h: Harness, text: str, at: datetime) -> list[TelegramMethod[Any]]:
    """A text message with the date Telegram gave it."""
    update = h.message_update(SEEKER, {"text": text})
    update["message"]["date"] = int(at.timestamp())
    return await h.feed(update)


async def submit(h: Harness) -> list[str]:
    await fill_until_description(h)
    await h.send(SEEKER, DESCRIPTION)
    await h.press(SEEKER, PickCb(field="consent", value="yes").pack())
    return texts(await h.press(SEEKER, PickCb(field="confirm", value="send").pack()))


async def test_seeker_gets_reference_and_offers_are_queued_when_intake_completes(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await volunteers(sessions, clock, 4)
    answer = await submit(harness)
    async with sessions() as session:
        request = await session.scalar(select(HelpRequest))
        assert request is not None
        offers = (await session.scalars(select(Offer))).all()
        outbox = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "offer"))
        ).all()
    assert request.ref in answer[-1]
    assert (request.skill, request.district, request.status) == (
        "furniture",
        "ehrenfeld",
        RequestStatus.OPEN,
    )
    assert request.description == DESCRIPTION and request.language == "de"
    assert len(offers) == 3 and len(outbox) == 3
    assert await count(sessions, FsmRecord) >= 1


async def test_intro_says_what_volunteers_do_not_do_when_seeker_starts(harness: Harness) -> None:
    await harness.send(SEEKER, "/start")
    shown = texts(await harness.press(SEEKER, MenuCb(action="seek").pack()))
    assert "It is not a service" in shown[0] and "legal advice" in shown[0]


async def test_back_returns_to_the_previous_question_when_pressed(harness: Harness) -> None:
    await fill_until_description(harness)
    shown = texts(await harness.press(SEEKER, NavCb(action="back").pack()))
    assert "When do you need help?" in shown[0]
    shown = texts(await harness.press(SEEKER, NavCb(action="back").pack()))
    assert "district" in shown[0]


async def test_pick_a_date_offers_days_as_buttons_when_chosen(harness: Harness) -> None:
    await harness.send(SEEKER, "/start")
    await harness.press(SEEKER, MenuCb(action="seek").pack())
    await harness.press(SEEKER, PickCb(field="skill", value="school").pack())
    await harness.press(SEEKER, PickCb(field="district", value="kalk").pack())
    calls = await harness.press(SEEKER, PickCb(field="when", value="date").pack())
    days = [data for _text, data in buttons(calls) if data.startswith("p:day:")]
    assert len(days) == 14


async def test_text_where_a_button_is_expected_gets_a_hint_and_changes_nothing(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await harness.send(SEEKER, "/start")
    await harness.press(SEEKER, MenuCb(action="seek").pack())
    shown = texts(await harness.send(SEEKER, "furniture please"))
    assert shown[0] == "Please choose one of the buttons."
    assert await count(sessions, HelpRequest) == 0


async def test_photo_where_the_description_is_expected_gets_a_clear_answer(
    harness: Harness,
) -> None:
    await fill_until_description(harness)
    shown = texts(await harness.photo(SEEKER))
    assert "in words" in shown[0]


async def test_ten_thousand_characters_are_refused_with_the_limit_when_describing(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await fill_until_description(harness)
    shown = texts(await send_at(harness, "x" * 10_000, T0))
    assert "10000" in shown[0] and "1000" in shown[0]
    shown = texts(await send_at(harness, DESCRIPTION, T0 + timedelta(minutes=1)))
    assert "May the volunteer write to you" in shown[0]


async def test_html_in_the_description_is_escaped_when_shown(harness: Harness) -> None:
    await fill_until_description(harness)
    await harness.send(SEEKER, "<b>Hilfe</b> & <script>alert(1)</script> bitte sehr")
    shown = texts(await harness.press(SEEKER, PickCb(field="consent", value="yes").pack()))
    assert "&lt;script&gt;" in shown[0] and "<script>" not in shown[0]


async def test_forged_callbacks_get_an_alert_and_change_nothing(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await volunteers(sessions, clock, 1)
    for data in ("zzz", "o:accept:notanumber", OfferCb(action="accept", offer_id=999).pack()):
        shown = texts(await harness.press(601, data))
        assert shown and ("no longer valid" in shown[0] or "not valid for you" in shown[0])
    shown = texts(await harness.press(SEEKER, PickCb(field="skill", value="rocket").pack()))
    assert "earlier step" in shown[0]
    assert await count(sessions, HelpRequest) == 0


async def test_a_button_from_an_earlier_step_is_refused_when_pressed_again(
    harness: Harness,
) -> None:
    await fill_until_description(harness)
    shown = texts(await harness.press(SEEKER, PickCb(field="skill", value="furniture").pack()))
    assert "earlier step" in shown[0]


async def test_consent_refused_is_explained_and_nothing_is_sent(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await fill_until_description(harness)
    await harness.send(SEEKER, DESCRIPTION)
    shown = texts(await harness.press(SEEKER, PickCb(field="consent", value="no").pack()))
    assert "consent" in shown[0]
    assert await count(sessions, HelpRequest) == 0


async def test_duplicate_update_is_ignored_when_delivered_twice(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await volunteers(sessions, clock, 3)
    await fill_until_description(harness)
    await harness.send(SEEKER, DESCRIPTION)
    await harness.press(SEEKER, PickCb(field="consent", value="yes").pack())
    update = harness.press_update(SEEKER, PickCb(field="confirm", value="send").pack())
    first = await harness.feed(update)
    second = await harness.feed(update)
    assert first and not second
    assert await count(sessions, HelpRequest) == 1


async def test_cancel_mid_form_clears_it_and_commands_work_again(harness: Harness) -> None:
    await fill_until_description(harness)
    shown = texts(await harness.send(SEEKER, "/cancel"))
    assert "Cancelled" in shown[0]
    shown = texts(await harness.send(SEEKER, "hello"))
    assert "/start" in shown[0]


async def test_twenty_volunteers_pressing_accept_at_once_yield_exactly_one_winner(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: object
) -> None:
    ids = await volunteers(sessions, clock, 20)
    from dataclasses import replace

    from matching.escalation import Policy

    harness.dp["rules"] = replace(harness.dp["rules"], policy=Policy(offers_per_round=20))
    await submit(harness)
    async with sessions() as session:
        offers = {o.volunteer_id: o.id for o in await session.scalars(select(Offer))}
    assert set(offers) == set(ids)
    updates = [
        harness.press_update(v, OfferCb(action="accept", offer_id=offers[v]).pack()) for v in ids
    ]
    start = len(harness.transport.calls)
    await asyncio.gather(*(harness.feed(u) for u in updates))
    calls = harness.transport.calls[start:]
    winners = {
        c.chat_id for c in calls if isinstance(c, EditMessageText) and "is yours" in (c.text or "")
    }
    taken = [
        c for c in calls if isinstance(c, AnswerCallbackQuery) and "already taken" in (c.text or "")
    ]
    assert len(winners) == 1 and len(taken) == 19
    async with sessions() as session:
        statuses = [o.status for o in await session.scalars(select(Offer))]
    assert statuses.count(OfferStatus.ACCEPTED) == 1
    assert statuses.count(OfferStatus.WITHDRAWN) == 19


async def test_a_command_mid_form_is_answered_and_the_form_waits_when_typed(
    harness: Harness,
) -> None:
    await fill_until_description(harness)
    shown = texts(await harness.send(SEEKER, "/help"))
    assert "/myrequests" in shown[0]
    shown = texts(await harness.send(SEEKER, DESCRIPTION))
    assert "May the volunteer write to you" in shown[0]


async def test_the_bot_stays_quiet_when_people_talk_in_a_group(harness: Harness) -> None:
    for text in ("hello everyone", "/start"):
        update = harness.message_update(SEEKER, {"text": text})
        update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Koordination"}
        assert texts(await harness.feed(update)) == []


async def stored_request(sessions: async_sessionmaker[AsyncSession]) -> HelpRequest | None:
    async with sessions() as session:
        return await session.scalar(select(HelpRequest))


async def test_description_is_refused_with_an_explanation_when_it_has_no_letters(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await fill_until_description(harness)
    for text in ("\u200b" * 20, "\u200b \u200c " * 10 + "?!", "!!!!!!!!!!!!", "👍" * 12):
        shown = texts(await harness.send(SEEKER, text))
        assert shown == ["Please describe in words what you need. We found almost no letters."]
    shown = texts(await harness.send(SEEKER, DESCRIPTION))
    assert "May the volunteer write to you" in shown[0]


async def test_description_with_nul_is_stored_cleaned_and_submitted_when_sent(
    harness: Harness, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    # PostgreSQL's text columns refuse NUL: unclean, this failed every Send (and on SQLite a lone
    # surrogate failed the UTF-8 encoding the same way).
    await volunteers(sessions, clock, 1)
    await fill_until_description(harness)
    await harness.send(SEEKER, "Ich brauche\x00 Hilfe beim\ud800 Aufbau\x07 von einem Schrank.\x00")
    await harness.press(SEEKER, PickCb(field="consent", value="yes").pack())
    answer = texts(await harness.press(SEEKER, PickCb(field="confirm", value="send").pack()))
    request = await stored_request(sessions)
    assert request is not None and request.ref in answer[-1]
    assert request.description == "Ich brauche Hilfe beim Aufbau von einem Schrank."


async def test_tail_of_a_split_long_text_is_refused_too_when_it_follows_within_a_second(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # Telegram splits a text over 4096 characters into two messages sent one right after the
    # other; the first is refused as too long, the second must not pass as the description.
    await fill_until_description(harness)
    head, tail = "Wir brauchen Hilfe. " * 205, "und dann noch beim Aufbau der Regale. " * 10
    shown = texts(await send_at(harness, head[:4096], T0))
    assert shown == ["That is 4096 characters. Please shorten it to at most 1000 characters."]
    shown = texts(await send_at(harness, tail, T0 + timedelta(seconds=1)))
    assert shown == [
        "Your text was too long. So Telegram sent it in parts. Please send one message with at "
        "most 1000 characters."
    ]
    shown = texts(await send_at(harness, DESCRIPTION, T0 + timedelta(minutes=2)))
    assert "May the volunteer write to you" in shown[0]
    shown = texts(await harness.press(SEEKER, PickCb(field="consent", value="yes").pack()))
    assert DESCRIPTION in shown[0] and "Regale" not in shown[0]


async def test_every_part_of_a_text_split_in_three_is_refused_when_they_follow_each_other(
    harness: Harness,
) -> None:
    await fill_until_description(harness)
    for second, part in enumerate(("a" * 4096, "b" * 4096, "Ich brauche Hilfe beim Umzug.")):
        shown = texts(await send_at(harness, part, T0 + timedelta(seconds=second)))
        assert "Please shorten" in shown[0] or "sent it in parts" in shown[0]
    shown = texts(await send_at(harness, DESCRIPTION, T0 + timedelta(minutes=1)))
    assert "May the volunteer write to you" in shown[0]


async def test_request_is_tagged_with_the_writers_language_when_it_is_not_the_interfaces(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A Ukrainian writer whose interface falls back to another language: their own language,
    not the fallback, is the hint, so Cyrillic without і/ї/є/ґ stays Ukrainian."""
    await fill_until_description(harness)
    await harness.send(SEEKER, "Нам треба допомога з шафою, будь ласка", language_code="uk-UA")
    await harness.press(SEEKER, PickCb(field="consent", value="yes").pack())
    await harness.press(SEEKER, PickCb(field="confirm", value="send").pack())
    async with sessions() as session:
        request = await session.scalar(select(HelpRequest))
    assert request is not None and request.language == "uk"
