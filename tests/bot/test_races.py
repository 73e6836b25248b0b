"""Double taps and racing people through the real dispatcher, each update its own transaction.
Two people's updates race (on PostgreSQL both read before either writes, see tests/racing.py);
one person's double tap is queued by the pipeline. What matters here is what each person reads:
the truth, never "something went wrong" for an action that was saved."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

from aiogram.methods import TelegramMethod
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import HelpRequest, Offer, Volunteer
from handlers.callbacks import MenuCb, MyReqCb, OfferCb, PickCb, ToggleCb
from matching.status import OfferStatus, RequestStatus
from services.clock import FrozenClock
from tests.bot.harness import Harness, texts
from tests.factories import add_volunteer
from tests.racing import race

Sessions = async_sessionmaker[AsyncSession]
TRIALS = 10
DESCRIPTION = "Ich brauche Hilfe beim Aufbau von einem Schrank und zwei Betten."
FAILED = "something went wrong"


RACER: contextvars.ContextVar[int] = contextvars.ContextVar("racer", default=-1)


class ByTask(list[TelegramMethod[Any]]):
    """The transport's call list, remembering which racer made each call: updates handled at
    once interleave their calls. A racer's child tasks (answers and toasts sent side by side)
    inherit its mark through the context."""

    def __init__(self) -> None:
        super().__init__()
        self.racers: list[int] = []

    def append(self, call: TelegramMethod[Any]) -> None:
        super().append(call)
        self.racers.append(RACER.get())

    def of(self, racer: int) -> list[TelegramMethod[Any]]:
        return [call for call, by in zip(self, self.racers, strict=True) if by == racer]


async def at_once(
    engine: AsyncEngine, h: Harness, *updates: dict[str, Any], tables: tuple[str, ...] | None
) -> list[list[str]]:
    """Feed the updates at once; what each one's sender read. With `tables`, the updates'
    transactions overlap on PostgreSQL (tests/racing.py). One person's updates are queued by the
    pipeline (bot/throttle.py), so their double tap comes one after the other here (`None`); the
    race between two bot processes is in tests/db/test_races.py."""
    calls = h.transport.calls = ByTask()

    def feeding(n: int, update: dict[str, Any]) -> Any:
        async def racer() -> list[str]:
            RACER.set(n)
            await h.feed(update)
            return texts(calls.of(n))

        return racer

    if tables is None:
        return list(await asyncio.gather(*(feeding(n, u)() for n, u in enumerate(updates))))
    shown, overlapped = await race(
        engine, *(feeding(n, u) for n, u in enumerate(updates)), tables=tables
    )
    assert overlapped is (engine.dialect.name == "postgresql")
    return shown


async def until_confirm(h: Harness, seeker: int) -> None:
    await h.send(seeker, "/start")
    await h.press(seeker, MenuCb(action="seek").pack())
    for field, value in (("skill", "furniture"), ("district", "ehrenfeld"), ("when", "week")):
        await h.press(seeker, PickCb(field=field, value=value).pack())
    await h.send(seeker, DESCRIPTION)
    await h.press(seeker, PickCb(field="consent", value="yes").pack())


async def helpers(harness: Harness, sessions: Sessions, clock: FrozenClock) -> None:
    """Volunteers who have used the bot before (so an update of theirs writes no user row)."""
    async with sessions() as s, s.begin():
        for volunteer in range(601, 601 + TRIALS):
            await add_volunteer(s, volunteer, now=clock.now(), daily_cap=50)
    for volunteer in range(601, 601 + TRIALS):
        await harness.send(volunteer, "/mytasks")


async def offered(harness: Harness, sessions: Sessions, seeker: int) -> Offer:
    """A request sent by `seeker` through the form, and one of its offers."""
    await until_confirm(harness, seeker)
    await harness.press(seeker, PickCb(field="confirm", value="send").pack())
    [request] = await requests_of(sessions, seeker)
    async with sessions() as s:
        offer = await s.scalar(select(Offer).where(Offer.request_id == request.id).limit(1))
    assert offer is not None
    return offer


async def requests_of(sessions: Sessions, seeker: int) -> list[HelpRequest]:
    async with sessions() as s:
        return list(await s.scalars(select(HelpRequest).where(HelpRequest.seeker_id == seeker)))


async def test_one_request_and_two_true_answers_when_send_is_tapped_twice_at_once(
    harness: Harness, engine: AsyncEngine, sessions: Sessions
) -> None:
    send = PickCb(field="confirm", value="send").pack()
    for trial in range(TRIALS):
        seeker = 5000 + trial
        await until_confirm(harness, seeker)
        first, second = await at_once(
            engine,
            harness,
            harness.press_update(seeker, send),
            harness.press_update(seeker, send),
            tables=None,
        )
        [request] = await requests_of(sessions, seeker)
        sent = [t for t in first + second if "Your request has been sent" in t]
        again = [t for t in first + second if "has already been sent" in t]
        assert len(sent) == len(again) == 1, (first, second)
        assert request.ref in sent[0] and request.ref in again[0]
        assert not any(FAILED in t for t in first + second)


async def test_a_late_second_tap_on_send_hears_the_request_was_sent_when_the_first_is_done(
    harness: Harness, sessions: Sessions
) -> None:
    send = PickCb(field="confirm", value="send").pack()
    await until_confirm(harness, 5000)
    assert "Your request has been sent" in texts(await harness.press(5000, send))[0]
    [request] = await requests_of(sessions, 5000)
    again = texts(await harness.press(5000, send))
    assert again == [f"Your request \u2068{request.ref}\u2069 has already been sent."]
    assert len(await requests_of(sessions, 5000)) == 1


async def test_the_seeker_hears_how_many_are_open_when_a_new_form_would_pass_the_limit(
    harness: Harness, sessions: Sessions
) -> None:
    send = PickCb(field="confirm", value="send").pack()
    for _ in range(3):  # the default limit
        await until_confirm(harness, 5000)
        await harness.press(5000, send)
    await harness.send(5000, "/start")
    shown = texts(await harness.press(5000, MenuCb(action="seek").pack()))
    assert "You already have 3 open requests" in shown[0] and "/myrequests" in shown[0]
    assert len(await requests_of(sessions, 5000)) == 3


async def test_the_second_tap_on_accept_says_it_is_already_theirs_when_tapped_twice_at_once(
    harness: Harness, engine: AsyncEngine, sessions: Sessions, clock: FrozenClock
) -> None:
    await helpers(harness, sessions, clock)
    for trial in range(TRIALS):
        offer = await offered(harness, sessions, 5000 + trial)
        tap = OfferCb(action="accept", offer_id=offer.id).pack()
        first, second = await at_once(
            engine,
            harness,
            harness.press_update(offer.volunteer_id, tap),
            harness.press_update(offer.volunteer_id, tap),
            tables=None,
        )
        shown = first + second
        assert len([t for t in shown if "is yours" in t]) == 1, shown
        assert "This request is already yours. /mytasks shows it." in shown
        assert not any(FAILED in t for t in shown)


async def test_one_volunteer_and_two_true_answers_when_save_is_tapped_twice_at_once(
    harness: Harness, engine: AsyncEngine, sessions: Sessions
) -> None:
    for trial in range(TRIALS):
        volunteer = 7000 + trial
        await harness.send(volunteer, "/start")
        await harness.press(volunteer, MenuCb(action="help").pack())
        for field, value in (("skills", "furniture"), ("districts", "ehrenfeld")):
            await harness.press(volunteer, ToggleCb(field=field, value=value).pack())
            await harness.press(volunteer, ToggleCb(field=field, value="").pack())
        await harness.press(volunteer, ToggleCb(field="languages", value="de").pack())
        save = ToggleCb(field="languages", value="").pack()
        first, second = await at_once(
            engine,
            harness,
            harness.press_update(volunteer, save),
            harness.press_update(volunteer, save),
            tables=None,
        )
        shown = first + second
        assert not any(FAILED in t for t in shown), shown
        assert len([t for t in shown if "A coordinator will check your profile" in t]) == 1
        async with sessions() as s:
            count = select(func.count()).select_from(Volunteer)
            assert await s.scalar(count.where(Volunteer.user_id == volunteer)) == 1


async def test_seeker_and_volunteer_each_read_what_happened_when_cancel_and_accept_meet(
    harness: Harness, engine: AsyncEngine, sessions: Sessions, clock: FrozenClock
) -> None:
    await helpers(harness, sessions, clock)
    for trial in range(TRIALS):
        seeker = 5000 + trial
        offer = await offered(harness, sessions, seeker)
        cancel = MyReqCb(action="cancel_sure", request_id=offer.request_id).pack()
        accept = OfferCb(action="accept", offer_id=offer.id).pack()
        seeker_read, volunteer_read = await at_once(
            engine,
            harness,
            harness.press_update(seeker, cancel),
            harness.press_update(offer.volunteer_id, accept),
            tables=("requests",),
        )
        [request] = await requests_of(sessions, seeker)
        if request.status is RequestStatus.ASSIGNED:
            assert "A volunteer has just taken your request" in seeker_read[0]
            assert "is yours" in volunteer_read[0]
        else:
            assert request.status is RequestStatus.CANCELLED
            assert seeker_read == ["Your request has been cancelled."]
            if request.assignee_id is None:
                assert "The person who asked has cancelled this request." in volunteer_read
            else:  # one after the other (SQLite): the volunteer was told by a notice
                assert engine.dialect.name == "sqlite" and "is yours" in volunteer_read[0]
        async with sessions() as s:
            pending = select(Offer).where(
                Offer.request_id == request.id, Offer.status == OfferStatus.PENDING
            )
            assert list(await s.scalars(pending)) == []
