"""Least exposure: a seeker's name and contact go to the volunteer who took the request and to
nobody else; offers carry no names; a volunteer never learns who else was asked or who took
it. Checked on every message queued for each person, payload and all."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Offer, OutboxMessage
from handlers.callbacks import MenuCb, OfferCb, PickCb
from services.clock import FrozenClock
from tests.bot.harness import Harness
from tests.bot.test_seeker import DESCRIPTION, SEEKER, volunteers

Sessions = async_sessionmaker[AsyncSession]
NAME, USERNAME = "Zainab", "zainab_k"


async def messages_to(sessions: Sessions, chat_id: int) -> str:
    async with sessions() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
        return " ".join(f"{row.kind} {row.payload}" for row in rows)


async def ask(h: Harness) -> None:
    who = {"name": NAME, "username": USERNAME}
    await h.send(SEEKER, "/start", **who)
    await h.press(SEEKER, MenuCb(action="seek").pack(), **who)
    for field, value in (("skill", "furniture"), ("district", "ehrenfeld"), ("when", "week")):
        await h.press(SEEKER, PickCb(field=field, value=value).pack(), **who)
    await h.send(SEEKER, DESCRIPTION, **who)
    await h.press(SEEKER, PickCb(field="consent", value="yes").pack(), **who)
    await h.press(SEEKER, PickCb(field="confirm", value="send").pack(), **who)


async def test_only_the_volunteer_who_took_it_learns_who_asked_when_a_request_is_taken(
    harness: Harness, sessions: Sessions, clock: FrozenClock
) -> None:
    taker, *others = await volunteers(sessions, clock, 3)
    await ask(harness)
    for volunteer in (taker, *others):
        offered = await messages_to(sessions, volunteer)
        assert "offer" in offered and NAME not in offered and USERNAME not in offered
    async with sessions() as s:
        offer = await s.scalar(select(Offer).where(Offer.volunteer_id == taker))
    assert offer is not None
    await harness.press(taker, OfferCb(action="accept", offer_id=offer.id).pack(), name="Ben")
    assert NAME in await messages_to(sessions, taker)
    for other in others:
        told = await messages_to(sessions, other)
        assert NAME not in told and USERNAME not in told and "Ben" not in told
        assert str(taker) not in told
