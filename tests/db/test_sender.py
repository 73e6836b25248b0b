"""The outbox sender against a real SQLite database and a fake Bot that records its calls."""

from __future__ import annotations

import asyncio
import time as time_module
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.sender import OutboxSender, Rendered
from db.engine import create_engine, create_session_factory
from db.models import OutboxMessage, OutboxStatus, User
from matching.escalation import Tier
from matching.status import WhenKind
from services.clock import FrozenClock
from services.outbox import (
    PAYLOADS,
    Notice,
    OfferNotice,
    Payload,
    RequestFacts,
    TakenNotice,
    enqueue,
    replace_sent,
)
from services.rules import Rules
from tests.conftest import COORDINATOR_ID, T0

METHOD = SendMessage(chat_id=1, text="x")


class Crash(BaseException):
    """The process dies: not an error the sender may catch."""


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class FakeBot:
    """Records sends and edits; raises queued errors per chat, before or after 'sending'."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, str, int | None]] = []
        self.errors: dict[int, deque[BaseException]] = defaultdict(deque)
        self.always: dict[int, BaseException] = {}
        self.crash_after_send = False
        self.sent = asyncio.Event()
        self.before_send: Callable[[int], Awaitable[None]] | None = None
        self._next_id = 500

    def fail(self, chat_id: int, *errors: BaseException) -> None:
        self.errors[chat_id].extend(errors)

    def _raise_if_told(self, chat_id: int) -> None:
        if self.errors[chat_id]:
            raise self.errors[chat_id].popleft()
        if chat_id in self.always:
            raise self.always[chat_id]

    async def send_message(self, chat_id: int, text: str, **kw: Any) -> SimpleNamespace:
        await asyncio.sleep(0)  # let concurrent senders interleave
        if self.before_send is not None:
            await self.before_send(chat_id)
        self._raise_if_told(chat_id)
        self._next_id += 1
        self.calls.append(("send", chat_id, text, self._next_id))
        self.sent.set()
        if self.crash_after_send:
            self.crash_after_send = False
            raise Crash
        return SimpleNamespace(message_id=self._next_id)

    async def edit_message_text(
        self, text: str, *, chat_id: int, message_id: int, **kw: Any
    ) -> bool:
        await asyncio.sleep(0)
        self._raise_if_told(chat_id)
        self.calls.append(("edit", chat_id, text, message_id))
        return True

    def texts(self) -> list[str]:
        return [text for _, _, text, _ in self.calls]


def sample(kind: Notice, n: object) -> Payload:
    """A payload of `kind` (an offer, or a notice that carries only a ref) with `n` as its ref."""
    if kind is Notice.OFFER:
        facts = RequestFacts(
            request_id=1,
            ref=str(n),
            skill="furniture",
            district="porz",
            when_kind=WhenKind.FLEXIBLE,
            when_date=None,
            description="Ein Schrank",
            language="de",
            urgent=False,
        )
        return OfferNotice(request=facts, offer_id=1, tier=Tier.VOLUNTEERS)
    return PAYLOADS[kind].from_dict({"ref": str(n), "request_id": 1})


def render(payload: Payload, locale: str) -> Rendered:
    """locale:kind:ref; a ref that starts with "boom" is a bug in a template."""
    ref = payload.request.ref if isinstance(payload, OfferNotice) else getattr(payload, "ref", None)
    if str(ref).startswith("boom"):
        raise KeyError("missing template variable")
    return f"{locale}:{payload.kind}:{ref}", None


@pytest.fixture
def bot() -> FakeBot:
    return FakeBot()


def unpaced_sender(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
    **overrides: Any,
) -> OutboxSender:
    """A sender whose pacing never holds anything up (the pacer has its own tests)."""
    options: dict[str, Any] = {
        "render": render,
        "rate_global": 1e6,
        "rate_per_chat": 1e6,
        "group_per_minute": 1e6,
        "max_attempts": 3,
        "backoff_seconds": 10,
        "idle_poll_seconds": 0.05,
        "available_locales": ("de",),
    }
    return OutboxSender(
        bot=bot, sessions=sessions, clock=clock, rules=rules, **(options | overrides)
    )


@pytest.fixture
def make_sender(
    bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> Callable[..., OutboxSender]:
    def make(**overrides: Any) -> OutboxSender:
        time = FakeTime()
        options: dict[str, Any] = {
            "bot": cast(Bot, bot),
            "sessions": sessions,
            "clock": clock,
            "rules": rules,
            "available_locales": ("de", "en", "uk"),
            "monotonic": time,
            "sleep": time.sleep,
        }
        return unpaced_sender(**(options | overrides))

    return make


@pytest.fixture
def sender(make_sender: Callable[..., OutboxSender]) -> OutboxSender:
    return make_sender()


async def add(
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    chat_id: int,
    n: object,
    *,
    kind: Notice = Notice.OFFER,
    edit_of: int | None = None,
) -> int:
    async with sessions() as s, s.begin():
        row = await enqueue(
            s,
            chat_id=chat_id,
            payload=sample(kind, n),
            dedupe_key=f"test:{chat_id}:{n}",
            now=clock.now(),
            edit_of=edit_of,
        )
        return row.id


async def add_user(sessions: async_sessionmaker[AsyncSession], user_id: int, **kw: Any) -> None:
    async with sessions() as s, s.begin():
        s.add(User(id=user_id, created_at=T0, **kw))


async def rows(sessions: async_sessionmaker[AsyncSession]) -> dict[int, OutboxMessage]:
    async with sessions() as s:
        return {r.id: r for r in (await s.scalars(select(OutboxMessage))).all()}


def too_many(seconds: int) -> TelegramRetryAfter:
    return TelegramRetryAfter(method=METHOD, message="Too Many Requests", retry_after=seconds)


def blocked() -> TelegramForbiddenError:
    return TelegramForbiddenError(method=METHOD, message="Forbidden: bot was blocked by the user")


def server_error() -> TelegramServerError:
    return TelegramServerError(method=METHOD, message="Internal Server Error")


def bad_request() -> TelegramBadRequest:
    return TelegramBadRequest(method=METHOD, message="Bad Request: chat not found")


async def test_sends_in_the_readers_locale_and_records_message_id(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    await add_user(sessions, 1, locale="en", language_code="uk")
    await add_user(sessions, 2, language_code="uk-UA")
    await add_user(sessions, 3, language_code="fr")
    ids = [await add(sessions, clock, chat, chat) for chat in (1, 2, 3, -40)]
    clock.advance(timedelta(seconds=3))
    assert await sender.drain() == 4
    assert sorted(bot.texts()) == ["de:offer:-40", "de:offer:3", "en:offer:1", "uk:offer:2"]
    stored = await rows(sessions)
    message_ids = {chat: message_id for _, chat, _, message_id in bot.calls}
    for row_id in ids:
        row = stored[row_id]
        assert row.status is OutboxStatus.SENT and row.sent_at == T0 + timedelta(seconds=3)
        assert row.message_id == message_ids[row.chat_id]


async def test_edit_follows_its_offer_in_order(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    offer = await add(sessions, clock, 1, "offer")
    await add(sessions, clock, 1, "taken", kind=Notice.OFFER_TAKEN, edit_of=offer)
    assert await sender.drain() == 2
    message_id = (await rows(sessions))[offer].message_id
    assert bot.calls == [
        ("send", 1, "de:offer:offer", message_id),
        ("edit", 1, "de:offer_taken:taken", message_id),
    ]


async def test_edit_not_modified_counts_as_sent(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    offer = await add(sessions, clock, 1, "offer")
    assert await sender.drain() == 1
    bot.fail(1, TelegramBadRequest(method=METHOD, message="Bad Request: message is not modified"))
    edit = await add(sessions, clock, 1, "taken", kind=Notice.OFFER_TAKEN, edit_of=offer)
    assert await sender.drain() == 1
    stored = await rows(sessions)
    assert (stored[edit].status, stored[edit].attempts) == (OutboxStatus.SENT, 0)
    assert stored[edit].message_id == stored[offer].message_id


async def test_edit_of_a_cancelled_original_is_dropped(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    offer = await add(sessions, clock, 1, "offer")
    async with sessions() as s, s.begin():
        await replace_sent(
            s,
            original_id=offer,
            payload=TakenNotice(ref="t", request_id=1),
            dedupe_key="t",
            now=T0,
        )
    assert await sender.drain() == 0
    assert bot.calls == []
    assert {r.status for r in (await rows(sessions)).values()} == {OutboxStatus.CANCELLED}


async def test_edit_waits_for_a_pending_original(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    offer = await add(sessions, clock, 1, "offer")
    async with sessions() as s, s.begin():
        (await s.get_one(OutboxMessage, offer)).not_before = T0 + timedelta(seconds=30)
    # An edit queued for another chat's message (the only way it can head its chat's queue).
    edit = await add(sessions, clock, 2, "taken", kind=Notice.OFFER_TAKEN, edit_of=offer)
    assert await sender.drain() == 0
    assert (await rows(sessions))[edit].status is OutboxStatus.PENDING
    clock.advance(timedelta(seconds=30))
    assert await sender.drain() == 1  # the original; the edit waits a little more
    clock.advance(timedelta(seconds=5))
    assert await sender.drain() == 1
    assert [call[0] for call in bot.calls] == ["send", "edit"]


async def test_429_is_waited_out_and_loses_nothing(
    make_sender: Callable[..., OutboxSender],
    bot: FakeBot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    time = FakeTime()
    sender = make_sender(monotonic=time, sleep=time.sleep)
    first = await add(sessions, clock, 1, "a")
    await add(sessions, clock, 1, "b")
    bot.fail(1, too_many(5))
    assert await sender.drain() == 0
    row = (await rows(sessions))[first]
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert row.not_before == T0 + timedelta(seconds=5)
    assert "Retry in 5 seconds" in (row.last_error or "")
    clock.advance(timedelta(seconds=5))
    started = time()
    assert await sender.drain() == 2
    assert time() - started >= 5 - 1e-6  # everyone paused for retry_after
    assert bot.texts() == ["de:offer:a", "de:offer:b"]
    assert all(r.attempts == 0 for r in (await rows(sessions)).values())


async def test_403_marks_the_user_and_their_rows_unreachable(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    await add_user(sessions, 7)
    first = await add(sessions, clock, 7, "a")
    second = await add(sessions, clock, 7, "b")
    other = await add(sessions, clock, 8, "c")
    bot.fail(7, blocked())
    assert await sender.drain() == 1
    stored = await rows(sessions)
    assert stored[other].status is OutboxStatus.SENT
    assert stored[first].status is stored[second].status is OutboxStatus.UNREACHABLE
    assert "blocked" in (stored[first].last_error or "")
    async with sessions() as s:
        user = await s.get_one(User, 7)
    assert not user.reachable and user.unreachable_at == T0
    later = await add(sessions, clock, 7, "d")  # queued before they come back: not even tried
    assert await sender.drain() == 0
    assert (await rows(sessions))[later].status is OutboxStatus.UNREACHABLE
    assert [chat for _, chat, _, _ in bot.calls] == [8]


async def test_server_errors_back_off_up_to_a_cap_and_never_park_the_row(
    make_sender: Callable[..., OutboxSender],
    bot: FakeBot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    sender = make_sender(backoff_max_seconds=40)
    row_id = await add(sessions, clock, 1, "a")
    bot.always[1] = server_error()
    for attempts, wait in ((1, 10), (2, 20), (3, 40), (4, 40), (5, 40)):
        assert await sender.drain() == 0
        row = (await rows(sessions))[row_id]
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, attempts)
        assert row.not_before == clock.now() + timedelta(seconds=wait)
        clock.advance(timedelta(seconds=wait))
    del bot.always[1]  # Telegram is back
    assert await sender.drain() == 1
    assert (await rows(sessions))[row_id].status is OutboxStatus.SENT


async def test_a_permanent_refusal_parks_the_row_and_tells_the_coordinators(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    row_id = await add(sessions, clock, 1, "a")
    bot.always[1] = bad_request()
    assert await sender.drain() == 1  # the row fails for good at once; the notice goes out
    stored = await rows(sessions)
    assert (stored[row_id].status, stored[row_id].attempts) == (OutboxStatus.FAILED, 1)
    (notice,) = (r for r in stored.values() if r.kind == Notice.COORDINATOR_SEND_FAILED)
    assert notice.chat_id == COORDINATOR_ID and notice.status is OutboxStatus.SENT
    assert notice.payload["chat_id"] == 1 and notice.payload["failed_kind"] == "offer"
    assert "chat not found" in notice.payload["error"]


async def test_a_stale_row_expires_instead_of_going_out(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    row_id = await add(sessions, clock, 1, "a")
    async with sessions() as s, s.begin():
        row = await s.get(OutboxMessage, row_id)
        assert row is not None
        row.expires_at = clock.now() + timedelta(minutes=1)
    bot.always[1] = server_error()
    assert await sender.drain() == 0
    clock.advance(timedelta(minutes=2))
    del bot.always[1]
    assert await sender.drain() == 0
    assert (await rows(sessions))[row_id].status is OutboxStatus.EXPIRED
    assert bot.calls == []


async def test_a_failing_failure_notice_does_not_loop(
    make_sender: Callable[..., OutboxSender],
    bot: FakeBot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    sender = make_sender(max_attempts=1)
    await add(sessions, clock, 1, "a")
    bot.always[1] = bot.always[COORDINATOR_ID] = bad_request()
    assert await sender.drain() == 0
    stored = await rows(sessions)
    assert len(stored) == 2
    assert {r.status for r in stored.values()} == {OutboxStatus.FAILED}


async def test_a_render_error_parks_the_row(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    broken = await add(sessions, clock, 1, "boom")
    fine = await add(sessions, clock, 2, "b")
    assert await sender.drain() == 2  # the good row and the coordinators' notice
    stored = await rows(sessions)
    assert stored[broken].status is OutboxStatus.FAILED
    assert "missing template variable" in (stored[broken].last_error or "")
    assert stored[fine].status is OutboxStatus.SENT


@pytest.fixture
async def other_sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(db_url)  # a second "process": its own connections to the file
    yield create_session_factory(engine)
    await engine.dispose()


async def test_two_senders_send_every_row_exactly_once(
    make_sender: Callable[..., OutboxSender],
    bot: FakeBot,
    sessions: async_sessionmaker[AsyncSession],
    other_sessions: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    for n in range(60):
        await add(sessions, clock, 1 + n % 15, n)
    first, second = make_sender(), make_sender(sessions=other_sessions)
    counts = await asyncio.gather(first.drain(), second.drain())
    assert sum(counts) == 60
    assert sorted(bot.texts()) == sorted(f"de:offer:{n}" for n in range(60))
    for chat in range(1, 16):  # and in order within each chat
        numbers = [int(t.rsplit(":")[-1]) for _, c, t, _ in bot.calls if c == chat]
        assert numbers == sorted(numbers)
    assert {r.status for r in (await rows(sessions)).values()} == {OutboxStatus.SENT}


@pytest.mark.parametrize("after_send", [True, False])
async def test_a_crash_mid_send_sends_again_after_the_lease(
    sender: OutboxSender,
    bot: FakeBot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Any,
    after_send: bool,
) -> None:
    row_id = await add(sessions, clock, 1, "a")
    if after_send:
        bot.crash_after_send = True  # Telegram has it, our commit never happened
    else:
        bot.fail(1, Crash())  # claimed, then the process died before the call
    with pytest.raises(Crash):
        await sender.drain()
    assert (await rows(sessions))[row_id].status is OutboxStatus.PENDING
    assert await sender.drain() == 0  # still leased to the dead sender
    clock.advance(timedelta(seconds=60))
    assert await sender.drain() == 1
    assert (await rows(sessions))[row_id].status is OutboxStatus.SENT
    assert len(bot.calls) == (2 if after_send else 1)  # at least once


async def test_run_sends_on_wake_and_stops_promptly(
    sender: OutboxSender, bot: FakeBot, sessions: async_sessionmaker[AsyncSession], clock: Any
) -> None:
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(0.01)
    await add(sessions, clock, 1, "a")
    sender.wake()
    await asyncio.wait_for(bot.sent.wait(), 2)
    async with asyncio.timeout(1):
        await sender.stop()
        await task
    assert bot.texts() == ["de:offer:a"]


@pytest.mark.parametrize("stolen", [False, True])
async def test_a_long_pause_renews_the_lease_unless_the_row_was_taken(
    make_sender: Callable[..., OutboxSender],
    bot: FakeBot,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    stolen: bool,
) -> None:
    time = FakeTime()

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0.02)  # let the first send meet its 429 before the second goes
        clock.advance(timedelta(seconds=seconds))  # pacing waits move the database clock too
        await time.sleep(seconds)

    # One send per second: the second row waits in the pacer, then meets the pause.
    sender = make_sender(monotonic=time, sleep=sleep, lease_seconds=60, rate_global=1)
    await add(sessions, clock, 1, "a")
    waiting = await add(sessions, clock, 2, "b")
    bot.fail(1, too_many(45))  # everybody pauses 45 s: most of the second row's lease
    taken_until = T0 + timedelta(hours=1)

    async def steal(chat_id: int) -> None:
        if stolen and chat_id == 1:  # as if another sender had claimed it meanwhile
            async with sessions() as s, s.begin():
                (await s.get_one(OutboxMessage, waiting)).not_before = taken_until

    bot.before_send = steal
    assert await sender.drain() == (1 if stolen else 2)  # "a" goes again after its 429
    row = (await rows(sessions))[waiting]
    if stolen:
        assert (row.status, row.not_before) == (OutboxStatus.PENDING, taken_until)
        assert bot.texts() == ["de:offer:a"]
    else:
        assert row.status is OutboxStatus.SENT and bot.texts() == ["de:offer:b", "de:offer:a"]
        assert row.sent_at is not None and row.sent_at >= T0 + timedelta(seconds=45)


async def test_stop_returns_promptly_and_hands_back_unsent_rows(
    make_sender: Callable[..., OutboxSender],
    bot: FakeBot,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> None:
    # Real time here: one send per second overall, so the other rows wait in the pacer.
    sender = make_sender(rate_global=1, monotonic=time_module.monotonic, sleep=asyncio.sleep)
    ids = [await add(sessions, clock, chat, chat) for chat in (1, 2, 3)]
    task = asyncio.create_task(sender.run())
    await asyncio.wait_for(bot.sent.wait(), 2)
    started = time_module.monotonic()
    await sender.stop()
    await asyncio.wait_for(task, 1)
    assert time_module.monotonic() - started < 0.5
    stored = await rows(sessions)
    assert [stored[i].status for i in ids] == [OutboxStatus.SENT] + [OutboxStatus.PENDING] * 2
    assert all(stored[i].not_before == T0 for i in ids[1:]), "not left leased"
