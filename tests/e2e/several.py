"""Helpers of the test with several bot processes (test_several_processes.py): a round-robin
proxy in front of them, free ports, and what the test reads from the database they share."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, or_, select

from db.engine import create_engine, create_session_factory
from db.models import HelpRequest, OutboxMessage, OutboxStatus, ProcessedUpdate, RequestEvent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def round_robin(ports: Sequence[int], served: list[int] | None = None) -> AsyncIterator[int]:
    """A reverse proxy on a free port: each POST goes to the next bot process in turn (its
    port appended to `served`); a process that does not answer costs the caller a 502
    (Telegram then posts it again)."""
    turns = itertools.cycle(ports)
    http = aiohttp.ClientSession()

    async def forward(request: web.Request) -> web.Response:
        port = next(turns)
        if served is not None:
            served.append(port)
        url = f"http://127.0.0.1:{port}{request.path}"
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram")}
        headers["Content-Type"] = request.content_type
        try:
            async with http.post(url, data=body, headers=headers) as answer:
                return web.Response(status=answer.status, body=await answer.read())
        except aiohttp.ClientError:
            return web.Response(status=502)

    app = web.Application()
    app.router.add_post("/{path:.*}", forward)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()
        await http.close()


async def health(port: int) -> dict[str, Any] | None:
    """A process's /healthz, or None while it does not listen."""
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as answer,
        ):
            return dict(await answer.json())
    except aiohttp.ClientError:
        return None


async def until_sender(port: int, state: str, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Until the process on `port` answers and its sender is in `state` ("running": it sends;
    "standby": another process does). Another process: nothing signals this one."""
    async with asyncio.timeout(timeout):
        while ((found := await health(port)) or {}).get("sender") != state:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        assert found is not None


async def read(db_url: str, query: Any) -> list[Any]:
    engine = create_engine(db_url)
    async with create_session_factory(engine)() as session:
        rows = list((await session.execute(query)).all())
    await engine.dispose()
    return rows


async def count(db_url: str, query: Any) -> int:
    return int((await read(db_url, query))[0][0] or 0)


def sent_rows() -> Any:
    return select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT)


async def until(
    db_url: str,
    query: Any,
    wanted: int,
    timeout: float,  # noqa: ASYNC109
    *,
    at_least: bool = False,
) -> None:
    """Until `query` counts `wanted` (or more) in the database the bot processes write."""

    async def reached() -> bool:
        found = await count(db_url, query)
        return found >= wanted if at_least else found == wanted

    async with asyncio.timeout(timeout):
        while not await reached():  # noqa: ASYNC110 - other processes write, nothing signals
            await asyncio.sleep(0.05)


def busy(now: datetime) -> Any:
    """Rows still to send, and escalation steps due within the next minute."""
    pending = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
    soon = (
        select(func.count())
        .where(HelpRequest.next_step_at.is_not(None))
        .where(HelpRequest.next_step_at < now + timedelta(minutes=1))
    )
    return select(pending.scalar_subquery() + soon.scalar_subquery())


async def processed_updates(db_url: str) -> int:
    return await count(db_url, select(func.count()).select_from(ProcessedUpdate))


async def steps_and_step_events(db_url: str) -> list[tuple[int, int, int]]:
    """For each request: steps run, and the events only a step writes (each step writes one:
    an offer round or a notice to the coordinators)."""
    events = (
        select(func.count())
        .where(RequestEvent.request_id == HelpRequest.id)
        .where(or_(RequestEvent.kind == "offered", RequestEvent.kind == "coordinators_notified"))
        .scalar_subquery()
    )
    rows = await read(db_url, select(HelpRequest.id, HelpRequest.steps_run, events))
    return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]
