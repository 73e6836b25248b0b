"""The scheduler: one APScheduler per deployment. Escalation state lives in the database, so the
job only asks the database what is due; a missed or doubled tick changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.supervise import Running
from matching.meetings import Meeting, start_on
from matching.status import MeetingKind
from services.broadcast_progress import report_progress
from services.clock import Clock
from services.escalation import due_request_ids, run_if_due
from services.meeting_queries import all_meetings
from services.meeting_reminders import send_assignment_reminders, send_due_reminders
from services.privacy.retention import run_retention
from services.rules import Rules

log = logging.getLogger(__name__)


async def run_due_steps(
    *, sessions: async_sessionmaker[AsyncSession], rules: Rules, clock: Clock
) -> int:
    """Run every escalation step that is due now, each in its own transaction."""
    now = clock.now()
    async with sessions() as session:
        ids = await due_request_ids(session, now=now)
    ran = 0
    for request_id in ids:
        try:
            async with sessions() as session, session.begin():
                if await run_if_due(session, request_id=request_id, rules=rules, now=now):
                    ran += 1
        except DBAPIError:
            # One request's step failing (a deadlock victim, a lost connection) must not hold
            # up the others; it rolled back, stays due and runs on the next tick.
            log.exception("escalation step of request %s failed; retried next tick", request_id)
    return ran


def create_scheduler(
    *,
    sessions: async_sessionmaker[AsyncSession],
    rules: Rules,
    clock: Clock,
    poll_seconds: float,
    after_steps: Callable[[], None],
    running: Running,
    progress_seconds: float = 3.0,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def tick() -> None:
        with running.track():  # shutdown waits for a tick under way
            if await run_due_steps(sessions=sessions, rules=rules, clock=clock):
                after_steps()

    scheduler.add_job(
        tick,
        "interval",
        seconds=poll_seconds,
        id="escalation",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )

    async def reminders() -> None:
        with running.track():
            if await send_reminders(sessions=sessions, rules=rules, clock=clock):
                after_steps()

    # The catch-up tick: a reminder missed while down goes out before the start, never after.
    scheduler.add_job(
        reminders,
        "interval",
        seconds=poll_seconds,
        id="reminders",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    _add_progress_job(scheduler, sessions, clock, progress_seconds, after_steps, running)
    add_retention_job(scheduler, sessions=sessions, rules=rules, clock=clock, running=running)
    return scheduler


def _add_progress_job(
    scheduler: AsyncIOScheduler,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    seconds: float,
    after: Callable[[], None],
    running: Running,
) -> None:
    """Broadcasts' progress messages, brought up to date every `seconds`. The claim allows a
    tick a little early (timers drift), so that it does not skip its turn."""
    every = timedelta(seconds=seconds * 0.8)

    async def progress() -> None:
        with running.track():
            async with sessions() as session, session.begin():
                queued = await report_progress(session, now=clock.now(), every=every)
            if queued:
                after()

    scheduler.add_job(
        progress,
        "interval",
        seconds=seconds,
        id="broadcast-progress",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )


def add_retention_job(
    scheduler: AsyncIOScheduler,
    *,
    sessions: async_sessionmaker[AsyncSession],
    rules: Rules,
    clock: Clock,
    running: Running,
) -> None:
    """Once a day at 04:15 local time (outside the hour the clocks change), old personal data
    goes (services/privacy/retention.py). A day missed while down is made up the next day: each
    rule takes everything older than its limit, not one day's worth."""

    async def retention() -> None:
        with running.track():
            await run_daily_retention(sessions=sessions, rules=rules, clock=clock)

    scheduler.add_job(
        retention,
        CronTrigger(hour=4, minute=15, timezone=rules.tz),
        id="retention",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )


async def run_daily_retention(
    *, sessions: async_sessionmaker[AsyncSession], rules: Rules, clock: Clock
) -> dict[str, int]:
    async with sessions() as session, session.begin():
        counts = await run_retention(session, rules=rules, now=clock.now())
    log.info("retention run: %s", counts)
    return counts


async def send_reminders(
    *, sessions: async_sessionmaker[AsyncSession], rules: Rules, clock: Clock
) -> int:
    """Queue every meeting and assignment reminder due now (idempotent: the logs claim each)."""
    now = clock.now()
    async with sessions() as session, session.begin():
        return await send_due_reminders(
            session, now=now, rules=rules
        ) + await send_assignment_reminders(session, now=now, rules=rules)


def reminder_trigger(rule: Meeting, offset: int) -> CronTrigger | DateTrigger | None:
    """When a meeting's reminder falls due: weekly at the local weekday and time of the
    reminder in the meeting's zone, or once (None when it has no day)."""
    if rule.kind is MeetingKind.ONCE:
        if rule.on is None:
            return None
        return DateTrigger(run_date=start_on(rule, rule.on) - timedelta(minutes=offset))
    if rule.weekday is None:
        return None
    wall = datetime(2024, 1, 1 + rule.weekday, rule.start.hour, rule.start.minute)  # a Monday week
    at = wall - timedelta(minutes=offset)
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    tz = ZoneInfo(rule.tz)
    return CronTrigger(day_of_week=days[at.weekday()], hour=at.hour, minute=at.minute, timezone=tz)


async def refresh_meeting_jobs(
    scheduler: AsyncIOScheduler,
    *,
    sessions: async_sessionmaker[AsyncSession],
    job: Callable[[], object],
) -> set[str]:
    """Rebuild the jobs `meeting:<id>:<offset>` from the database (at start, and after a
    meeting is created, edited or deleted); each runs `job`, which sends what is due."""
    async with sessions() as session:
        meetings = await all_meetings(session)
    wanted: set[str] = set()
    for row, rule in meetings:
        for offset in () if rule.paused else rule.offsets:
            trigger = reminder_trigger(rule, offset)
            if trigger is not None:
                job_id = f"meeting:{row.id}:{offset}"
                wanted.add(job_id)
                scheduler.add_job(job, trigger, id=job_id, replace_existing=True, coalesce=True)
    for old in scheduler.get_jobs():
        if old.id.startswith("meeting:") and old.id not in wanted:
            old.remove()
    return wanted


class MeetingWatch:
    """A cheap periodic check: rebuild the per-meeting jobs when the stored meetings changed (one
    was created, edited, paused, skipped or deleted by a coordinator, in any process). It runs
    outside every update's transaction, so a handler needs no way to reach the scheduler after
    its commit; until the next check the catch-up tick sends what is due anyway."""

    def __init__(
        self,
        scheduler: AsyncIOScheduler,
        *,
        sessions: async_sessionmaker[AsyncSession],
        job: Callable[[], object],
    ) -> None:
        self.scheduler, self.sessions, self.job = scheduler, sessions, job
        self.seen: tuple[tuple[int, Meeting], ...] | None = None

    async def check(self) -> bool:
        """True when the jobs were rebuilt. A method, not `__call__`: APScheduler 3 runs a
        callable object in a worker thread, where its coroutine is never awaited."""
        async with self.sessions() as session:
            now = tuple((row.id, rule) for row, rule in await all_meetings(session))
        if now == self.seen:
            return False
        await refresh_meeting_jobs(self.scheduler, sessions=self.sessions, job=self.job)
        self.seen = now
        return True
