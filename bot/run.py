"""Serving: long polling by default, or a webhook (aiohttp) checked with a secret token."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiogram import Bot
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import App, close, create_app, run_polling, start_background
from bot.config import Settings
from bot.health import Watch
from bot.menus import publish_surfaces
from bot.startup import warn_without_coordinators
from services.roles import coordinator_ids

log = logging.getLogger(__name__)


async def serve(settings: Settings) -> None:
    app = await create_app(settings)
    async with app.sessions() as session:
        coordinators = await coordinator_ids(session)
    warn_without_coordinators(settings, coordinators)
    # In the background: start-up does not wait for Telegram's menus, and close cancels it.
    app.tasks.append(asyncio.create_task(publish_surfaces(app.bot, app.i18n, coordinators)))
    if settings.mode == "webhook":
        await run_webhook(app)
    else:
        await run_polling_until_signal(app)


async def run_polling_until_signal(app: App) -> None:
    task = asyncio.create_task(run_polling(app))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if not task.done():
        await app.dp.stop_polling()
    await task
    waiter.cancel()


class DrainingRequestHandler(SimpleRequestHandler):
    """Telegram gets its 200 once the update is handled (committed, its answers sent or queued
    for the sender): a process killed meanwhile never answers, so Telegram delivers the update
    again, to this process or another behind the same proxy, and its id makes a second delivery
    harmless. At shutdown the updates under way finish (or, after a bound, are cut) before the
    database goes away. Each update handled is counted for /metrics."""

    drain_seconds = 10.0

    def __init__(self, *, watch: Watch, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._watch = watch

    async def _background_feed_update(self, bot: Bot, update: dict[str, Any]) -> None:
        await super()._background_feed_update(bot, update)
        self._watch.handled(update)

    async def _handle_request_background(self, bot: Bot, request: web.Request) -> web.Response:
        update = await request.json(loads=bot.session.json_loads)
        task = asyncio.create_task(self._background_feed_update(bot, update))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        await asyncio.shield(task)  # a caller who hangs up does not cut the update short
        return web.json_response({}, dumps=bot.session.json_dumps)

    async def close(self) -> None:
        pending = set(self._background_feed_update_tasks)
        if pending:
            _done, late = await asyncio.wait(pending, timeout=self.drain_seconds)
            for task in late:
                task.cancel()
        await super().close()


def webhook_app(app: App, watch: Watch | None = None) -> web.Application:
    """The webhook, and beside it /healthz and /metrics (bot/health.py)."""
    settings = app.settings
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    web_app = web.Application()
    watch = watch or Watch(app)
    handler = DrainingRequestHandler(
        dispatcher=app.dp, bot=app.bot, secret_token=secret, watch=watch
    )
    handler.register(web_app, path=settings.webhook_path)
    watch.routes(web_app)
    setup_application(web_app, app.dp, bot=app.bot)
    return web_app


async def run_webhook(app: App) -> None:
    settings = app.settings
    if not settings.webhook_base_url or settings.webhook_secret is None:
        raise SystemExit("webhook mode needs LOTSE_WEBHOOK_BASE_URL and LOTSE_WEBHOOK_SECRET")
    await start_background(app)
    runner = web.AppRunner(webhook_app(app))
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    await app.bot.set_webhook(
        settings.webhook_base_url.rstrip("/") + settings.webhook_path,
        secret_token=settings.webhook_secret.get_secret_value(),
    )
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await close(app)
