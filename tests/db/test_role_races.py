"""Two coordinators remove each other at the same moment: the lock on the coordinators' rows
makes them take turns, so one removal happens, the other hears that the remover is the last
coordinator, and the agency is never left without one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.role_models import AuditEntry, Coordinator
from services.clock import FrozenClock
from services.roles import RoleOutcome, remove, seed
from services.rules import Rules
from tests.racing import race

Sessions = async_sessionmaker[AsyncSession]
ANNA, BERND = 910_001, 910_002
NOBODY_IN_SETTINGS = Rules(coordinators=())


def removing(
    sessions: Sessions, clock: FrozenClock, actor: int, whom: int
) -> Callable[[], Awaitable[RoleOutcome]]:
    async def run() -> RoleOutcome:
        async with sessions() as s, s.begin():
            return await remove(
                s, actor_id=actor, user_id=whom, rules=NOBODY_IN_SETTINGS, now=clock.now()
            )

    return run


async def test_one_coordinator_stays_when_two_remove_each_other_at_once(
    engine: AsyncEngine, sessions: Sessions, clock: FrozenClock
) -> None:
    for _trial in range(10):
        async with sessions() as s, s.begin():
            await s.execute(delete(Coordinator))
            await s.execute(delete(AuditEntry))
            await seed(s, (ANNA, BERND), now=clock.now())
        outcomes, overlapped = await race(
            engine,
            removing(sessions, clock, ANNA, BERND),
            removing(sessions, clock, BERND, ANNA),
        )
        assert overlapped is (engine.dialect.name == "postgresql")
        assert sorted(outcomes) == sorted([RoleOutcome.REMOVED, RoleOutcome.LAST_ONE])
        async with sessions() as s:
            left = list(await s.scalars(select(Coordinator.user_id)))
            audited = list(await s.scalars(select(AuditEntry.target_user_id)))
        assert len(left) == 1 and len(audited) == 1 and audited[0] not in left
