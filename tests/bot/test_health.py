"""Webhook mode's /healthz and /metrics: what an operator's monitoring reads."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.app import SENDER_TASK, App, close, create_app, start_background
from bot.config import Settings
from bot.health import Watch
from bot.run import webhook_app
from db.engine import create_engine, create_session_factory
from matching.status import RequestStatus
from tests.bot.harness import Harness, RecordingSession, make_bot
from tests.factories import add_request, add_user

SECRET = "s3cret-token"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


class RefusesFirstSend(RecordingSession):
    """Telegram answering the first message with 429 Too Many Requests."""

    refused = False

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        if isinstance(method, SendMessage) and not self.refused:
            self.refused = True
            raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=1)
        return await super().make_request(bot, method, timeout)


async def build(settings: Settings, transport: RecordingSession) -> App:
    webhook = settings.model_copy(
        update={"mode": "webhook", "webhook_secret": SecretStr(SECRET), "webhook_base_url": "x"}
    )
    return await create_app(webhook, bot=make_bot(transport))


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    built = await build(settings, RecordingSession())
    yield built
    await close(built)


async def get(app: App, path: str, watch: Watch | None = None) -> tuple[int, Any]:
    async with TestClient(TestServer(webhook_app(app, watch))) as client:
        response = await client.get(path)
        body = await (response.json() if path == "/healthz" else response.text())
        return response.status, body


async def post_start(app: App, watch: Watch) -> None:
    """A /start through the webhook; leaving the client lets the update finish."""
    harness = Harness(dp=app.dp, bot=app.bot, transport=RecordingSession())
    update = harness.message_update(
        501, {"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
    )
    async with TestClient(TestServer(webhook_app(app, watch))) as client:
        response = await client.post(app.settings.webhook_path, json=update, headers=HEADERS)
        assert response.status == 200
    await app.sender.settled()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def sending(app: App) -> None:
    """Started; on PostgreSQL also elected the one sender (bot/leader.py)."""
    await start_background(app)
    if app.leadership is not None:
        await asyncio.wait_for(app.leadership.elected.wait(), 10)


async def test_health_is_ok_when_the_database_answers_and_the_sender_runs(app: App) -> None:
    await sending(app)
    status, body = await get(app, "/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["reasons"] == []
    assert body["database"] is True and body["sender"] == "running"
    assert body["oldest_due_seconds"] == 0.0
    assert body["sender_idle_seconds"] >= 0


async def test_health_is_unavailable_when_the_sender_has_stopped(app: App) -> None:
    await sending(app)
    await (app.leadership or app.sender).stop()
    await next(task for task in app.tasks if task.get_name() == SENDER_TASK)
    status, body = await get(app, "/healthz")
    assert status == 503
    assert body["status"] == "unhealthy" and body["sender"] == "stopped"
    assert body["reasons"] == ["outbox sender stopped"]


async def test_health_is_unavailable_when_the_database_is_unreachable(
    app: App, tmp_path: Path
) -> None:
    await start_background(app)
    gone = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'lotse.db'}")
    cut_off = dataclasses.replace(app, sessions=create_session_factory(gone))
    try:
        status, body = await get(cut_off, "/healthz")
    finally:
        await gone.dispose()
    assert status == 503
    assert body["database"] is False and body["oldest_due_seconds"] is None
    assert body["reasons"] == ["database unreachable"]


async def test_metrics_move_when_an_update_is_handled_and_its_answer_sent(app: App) -> None:
    await sending(app)  # on PostgreSQL only the elected sender sends
    watch = Watch(app)
    _, before = await get(app, "/metrics", watch)
    await post_start(app, watch)
    status, after = await get(app, "/metrics", watch)
    assert status == 200
    was, now = samples(before), samples(after)
    assert ("lotse_updates_total", (("kind", "message"),)) not in was
    assert now[("lotse_updates_total", (("kind", "message"),))] == 1
    sent = ("lotse_outbox_messages", (("status", "sent"),))
    assert was[sent] == 0 and now[sent] >= 1
    assert now[("lotse_database_up", ())] == 1
    assert now[("lotse_telegram_retry_after_total", ())] == 0
    assert now[("lotse_outbox_oldest_due_seconds", ())] == 0
    names = {name for name, _ in now}
    assert {"lotse_sender_up", "lotse_outbox_messages"} <= names


async def test_metrics_count_a_429_when_telegram_refuses_a_send(settings: Settings) -> None:
    app = await build(settings, RefusesFirstSend())
    try:
        await sending(app)
        watch = Watch(app)
        await post_start(app, watch)
        _, text = await get(app, "/metrics", watch)
    finally:
        await close(app)
    found = samples(text)
    assert found[("lotse_telegram_retry_after_total", ())] == 1
    assert found[("lotse_outbox_messages", (("status", "pending"),))] >= 1


async def test_metrics_count_open_requests_by_tier_when_requests_are_open(app: App) -> None:
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        await add_user(session, 601, now=now)
        await add_request(session, seeker_id=601, now=now)
        await add_request(session, seeker_id=601, now=now)
        await add_request(session, seeker_id=601, now=now, status=RequestStatus.DONE)
        lotsen = await add_request(session, seeker_id=601, now=now)
        lotsen.tier = 1
    _, text = await get(app, "/metrics")
    found = samples(text)
    assert found[("lotse_open_requests", (("tier", "0"),))] == 2
    assert found[("lotse_open_requests", (("tier", "1"),))] == 1
