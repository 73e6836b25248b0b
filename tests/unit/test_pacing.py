"""Rolling-window pacing, on an injected time function: nothing here really sleeps."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.pacing import SAFETY_MARGIN, SPREAD, Pacer, PacerClosed, PriorityGate, SlidingWindow


class FakeTime:
    """A monotonic clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def send(window: SlidingWindow, start: float, end: float | None = None) -> None:
    assert window.delay(start) == 0.0
    window.reserve()
    window.release(start if end is None else end)


def test_window_admits_limit_then_waits_for_the_oldest_to_age_out() -> None:
    window = SlidingWindow(3, 1.0)
    for t in (0.0, 0.1, 0.2):
        send(window, t)
    assert window.delay(0.5) == pytest.approx(0.5)  # the send at 0.0 leaves the window at 1.0
    assert window.delay(1.0) == 0.0
    send(window, 1.0)
    assert window.delay(1.05) == pytest.approx(0.05)  # now the send at 0.1 blocks


def test_window_counts_a_send_from_its_answer_time() -> None:
    window = SlidingWindow(1, 1.0)
    send(window, 0.0, end=0.3)  # the server may have counted it as late as 0.3
    assert window.delay(1.0) == pytest.approx(0.3)
    assert window.delay(1.3) == 0.0


def test_window_in_flight_sends_hold_their_place_until_answered() -> None:
    window = SlidingWindow(2, 1.0)
    window.reserve()
    assert window.delay(0.0) == 0.0
    window.reserve()
    assert window.delay(5.0) is None  # only an answer can tell when a place frees up
    window.cancel()  # a send that never happened takes no place
    assert window.delay(5.0) == 0.0


def test_window_mixes_in_flight_and_finished_sends() -> None:
    window = SlidingWindow(2, 1.0)
    send(window, 0.0)
    window.reserve()
    assert window.delay(0.4) == pytest.approx(0.6)


def test_rates_become_windows_with_a_margin() -> None:
    overall = SlidingWindow.for_rate(30, 1.0)
    assert (overall.limit, overall.span) == (30, 1.0 + SAFETY_MARGIN)
    group = SlidingWindow.for_rate(20, 60.0)
    assert (group.limit, group.span) == (20, 60.0 + SAFETY_MARGIN)
    slow = SlidingWindow.for_rate(0.5, 1.0)
    assert (slow.limit, slow.span) == (1, 2.0 + SAFETY_MARGIN)
    fractional = SlidingWindow.for_rate(2.5, 1.0)
    assert fractional.limit == 2  # rounded down: never faster than asked


def test_window_idle_once_history_aged_out() -> None:
    window = SlidingWindow(1, 1.0)
    send(window, 0.0)
    assert not window.idle(0.5)
    assert window.idle(1.0)


def max_in_any_window(times: list[float], span: float) -> int:
    return max(sum(1 for u in times if t <= u < t + span) for t in times)


async def paced_starts(pacer: Pacer, chats: list[int], time: FakeTime) -> list[float]:
    starts = []
    for chat in chats:
        async with pacer.slot(chat):
            starts.append(time())
    return starts


async def test_pacer_keeps_overall_and_per_chat_rates() -> None:
    time = FakeTime()
    pacer = Pacer(
        rate_global=30, rate_per_chat=1, group_per_minute=20, monotonic=time, sleep=time.sleep
    )
    starts = await paced_starts(pacer, list(range(1, 91)), time)
    assert max_in_any_window(starts, 1.0) == 30
    assert starts[-1] - starts[0] >= 2 * (1.0 + SAFETY_MARGIN)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) == pytest.approx(SPREAD * (1.0 + SAFETY_MARGIN) / 30)  # spread, no bursts
    same_chat = await paced_starts(pacer, [7, 7, 7], time)
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(same_chat))


async def test_pacer_edits_skip_the_overall_window_but_not_their_chat() -> None:
    time = FakeTime()
    pacer = Pacer(
        rate_global=30, rate_per_chat=1, group_per_minute=20, monotonic=time, sleep=time.sleep
    )
    await paced_starts(pacer, list(range(1, 31)), time)  # the overall window is full
    start = time()
    async with pacer.slot(99, new_message=False):
        assert time() == start  # an edit in a quiet chat goes at once
    async with pacer.slot(99, new_message=False):
        assert time() - start >= 1.0  # but its chat still gets one per second
    async with pacer.slot(100):
        assert time() - start >= 1.0  # a new message waited for the overall window


async def test_pacer_groups_get_twenty_per_minute() -> None:
    time = FakeTime()
    pacer = Pacer(
        rate_global=30, rate_per_chat=1, group_per_minute=20, monotonic=time, sleep=time.sleep
    )
    starts = await paced_starts(pacer, [-100] * 21, time)
    assert starts[19] - starts[0] < 1.0  # a group takes a burst of 20 ...
    assert starts[20] - starts[0] >= 60.0  # ... and then waits out the minute


async def test_pacer_pause_holds_everybody() -> None:
    time = FakeTime()
    pacer = Pacer(
        rate_global=1e6, rate_per_chat=1e6, group_per_minute=1e6, monotonic=time, sleep=time.sleep
    )
    start = time()
    pacer.pause(5)
    async with pacer.slot(1):
        assert time() - start >= 5


async def test_pacer_bounds_sends_in_flight() -> None:
    time = FakeTime()
    pacer = Pacer(
        rate_global=1e6,
        rate_per_chat=1e6,
        group_per_minute=1e6,
        max_in_flight=2,
        monotonic=time,
        sleep=time.sleep,
    )
    gate = asyncio.Event()
    running = 0
    most = 0

    async def one(chat: int) -> None:
        nonlocal running, most
        async with pacer.slot(chat):
            running += 1
            most = max(most, running)
            await gate.wait()
            running -= 1

    tasks = [asyncio.create_task(one(chat)) for chat in range(5)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert running == 2
    gate.set()
    await asyncio.gather(*tasks)
    assert most == 2


async def test_closing_the_pacer_releases_waiters() -> None:
    time = FakeTime()
    pacer = Pacer(rate_global=1, rate_per_chat=1, group_per_minute=1, monotonic=time)
    async with pacer.slot(1):
        pass
    waiter = asyncio.create_task(paced_starts(pacer, [1], time))  # blocked for a real second
    await asyncio.sleep(0)
    pacer.close()
    with pytest.raises(PacerClosed):
        await waiter


async def test_pacer_serves_an_interactive_answer_before_queued_notices() -> None:
    time = FakeTime()
    pacer = Pacer(
        rate_global=2, rate_per_chat=1e6, group_per_minute=1e6, monotonic=time, sleep=time.sleep
    )
    order: list[str] = []

    async def one(name: str, chat: int, priority: int) -> None:
        async with pacer.slot(chat, priority):
            order.append(name)

    notices = [asyncio.create_task(one(f"notice{n}", 10 + n, 2)) for n in range(4)]
    for _ in range(3):
        await asyncio.sleep(0)  # the notices queue up behind the first one's global gap
    answer = asyncio.create_task(one("answer", 99, 0))
    await asyncio.gather(answer, *notices)
    assert order.index("answer") <= 2  # at most the sends already under way went first
    assert order[-1].startswith("notice")


async def test_priority_gate_hands_over_by_priority_then_arrival() -> None:
    gate = PriorityGate()
    order: list[int] = []
    release = asyncio.Event()

    async def hold_first() -> None:
        async with gate.hold(5):
            await release.wait()

    async def one(priority: int, tag: int) -> None:
        async with gate.hold(priority):
            order.append(tag)

    first = asyncio.create_task(hold_first())
    await asyncio.sleep(0)
    waiters = [asyncio.create_task(one(p, tag)) for tag, p in enumerate((3, 1, 3, 0, 1))]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, *waiters)
    assert order == [3, 1, 4, 0, 2]


async def test_priority_gate_survives_a_cancelled_waiter() -> None:
    gate = PriorityGate()
    release = asyncio.Event()

    async def holder() -> None:
        async with gate.hold(0):
            await release.wait()

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    doomed = asyncio.create_task(gate.hold(1).__aenter__())
    await asyncio.sleep(0)
    doomed.cancel()
    release.set()
    await first
    async with asyncio.timeout(1), gate.hold(2):
        pass  # the gate is free again: the cancelled waiter did not keep it


async def test_a_chat_keeps_its_window_while_a_send_to_it_waits() -> None:
    """Regression: idle windows are forgotten now and then; one a waiter holds was forgotten
    too, and a second send to the chat then went out beside the first (a 429)."""
    time = FakeTime()
    pacer = Pacer(
        rate_global=1e6, rate_per_chat=1, group_per_minute=1e6, monotonic=time, sleep=time.sleep
    )
    pacer.pause(5)  # the first send to chat 7 waits, holding its window, nothing sent yet
    starts: list[float] = []

    async def send_to_seven() -> None:
        async with pacer.slot(7):
            starts.append(time())

    first = asyncio.create_task(send_to_seven())
    await asyncio.sleep(0)
    pacer._forget_idle_chats()  # the sweep that other chats' sends trigger
    await asyncio.gather(first, send_to_seven())
    assert starts[1] - starts[0] >= 1.0


def test_sends_in_flight_follow_the_overall_rate_within_bounds() -> None:
    from bot.sender import in_flight_for

    assert in_flight_for(30) == 8  # Telegram's rate: a quarter-second round trip needs 8
    assert in_flight_for(100) == 25
    assert in_flight_for(1e6) == 64  # no rate limit at all: still a bound
