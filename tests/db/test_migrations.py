import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db.migrate import alembic_config, downgrade, upgrade


async def test_every_revision_upgrades_downgrades_and_upgrades_again(engine: AsyncEngine) -> None:
    await downgrade(engine, "base")
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert tables == ["alembic_version"]
    await upgrade(engine)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert {"requests", "offers", "outbox", "fsm_state", "processed_updates"} <= set(tables)


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.mark.parametrize("revision", revisions())
async def test_each_revision_goes_up_down_and_up_again_on_its_own(
    engine: AsyncEngine, revision: str
) -> None:
    """The stairway: every revision upgrades, downgrades one step and upgrades again, so that
    each downgrade really undoes its upgrade (the table above only checks the two ends)."""
    await downgrade(engine, "base")
    await upgrade(engine, revision)
    before = await schema(engine)
    await downgrade(engine, "-1")
    await upgrade(engine, revision)
    assert await schema(engine) == before


async def schema(engine: AsyncEngine) -> dict[str, list[str]]:
    """Per table: its columns, unique constraints and indexes, by name."""

    def read(conn: Connection) -> dict[str, list[str]]:
        found = inspect(conn)
        return {
            table: sorted(
                [column["name"] for column in found.get_columns(table)]
                + [f"uq:{u['name']}" for u in found.get_unique_constraints(table)]
                + [f"ix:{i['name']}" for i in found.get_indexes(table)]
            )
            for table in found.get_table_names()
        }

    async with engine.connect() as conn:
        return await conn.run_sync(read)
