"""The scheduler: one APScheduler per deployment. Escalation state lives in the database, so the
job only asks the database what is due; a missed or doubled tick changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.supervise import Running
from services.clock import Clock
from services.escalation import due_request_ids, run_if_due
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
    return scheduler
