"""The operator's view of a running bot in webhook mode, served on the webhook's own port
(docs/OPERATIONS.md says what each field means):

- GET /healthz: does the database answer, is the outbox sender going round, and how long the
  longest-waiting message has been due. 200 when the database and the sender are fine, 503
  with the reasons otherwise. A backlog alone is no reason: while Telegram is down a restart
  would not help, so alert on `lotse_outbox_oldest_due_seconds` from the metrics instead.
- GET /metrics: the same and more in Prometheus' text format (bot/metrics.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

from bot.app import SENDER_TASK, App
from bot.metrics import Figures, update_kind
from db.models import OutboxStatus
from services import vitals

log = logging.getLogger(__name__)

DB_TIMEOUT = 5.0  # seconds: a database slower than this counts as unreachable
# A pass may wait this long on top of its idle wait (one send timing out, a full batch).
STALL_SECONDS = 180.0


@dataclass(frozen=True)
class Vitals:
    database: bool
    sender: str  # "running", "standby" (another process sends), "stalled" or "stopped"
    sender_idle_seconds: float | None  # since the sender last went round
    oldest_due_seconds: float | None  # None: the database did not answer
    outbox: Mapping[OutboxStatus, int] = field(default_factory=dict)
    open_by_tier: Mapping[int, int] = field(default_factory=dict)

    @property
    def reasons(self) -> list[str]:
        reasons = [] if self.database else ["database unreachable"]
        if self.sender not in ("running", "standby"):
            reasons.append(f"outbox sender {self.sender}")
        return reasons

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if not self.reasons else "unhealthy",
            "database": self.database,
            "sender": self.sender,
            "sender_idle_seconds": self.sender_idle_seconds,
            "oldest_due_seconds": self.oldest_due_seconds,
            "reasons": self.reasons,
        }


class Watch:
    """The vital signs of one app, and the metrics registry of one web app (its own registry,
    not the process-wide default, so several apps in one process do not clash)."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._started = app.clock.now()
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "lotse_updates", "Updates handled, by kind", ["kind"], registry=self.registry
        )
        self.latest: Vitals | None = None
        self.registry.register(Figures(self, app.sender.pacer))

    def routes(self, web_app: web.Application) -> None:
        web_app.router.add_get("/healthz", self.healthz)
        web_app.router.add_get("/metrics", self.metrics)

    def handled(self, update: Mapping[str, Any]) -> None:
        self.updates.labels(kind=update_kind(update)).inc()

    async def healthz(self, _request: web.Request) -> web.Response:
        found = await self.read()
        return web.json_response(found.as_json(), status=503 if found.reasons else 200)

    async def metrics(self, _request: web.Request) -> web.Response:
        await self.read()
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def read(self) -> Vitals:
        now = self._app.clock.now()
        sender, idle = self._sender(now)
        try:
            async with asyncio.timeout(DB_TIMEOUT):
                due, outbox, tiers = await self._figures(now)
        except Exception as exc:  # whatever it is, the database did not answer
            log.warning("health check: the database did not answer (%s)", type(exc).__name__)
            self.latest = Vitals(False, sender, idle, None)
        else:
            self.latest = Vitals(True, sender, idle, due, outbox, tiers)
        return self.latest

    async def _figures(
        self, now: datetime
    ) -> tuple[float, Mapping[OutboxStatus, int], Mapping[int, int]]:
        async with self._app.sessions() as session:
            await vitals.ping(session)
            due = await vitals.oldest_due(session, now)
            outbox = await vitals.outbox_counts(session)
            tiers = await vitals.open_by_tier(session)
        return (0.0 if due is None else max(0.0, (now - due).total_seconds())), outbox, tiers

    def _sender(self, now: datetime) -> tuple[str, float | None]:
        """Running while its supervised task lives and it went round lately: each pass ends
        with an idle wait of at most `send_idle_poll_seconds`, longer only under a 429 pause."""
        task = next((t for t in self._app.tasks if t.get_name() == SENDER_TASK), None)
        if task is None or task.done():
            return "stopped", None
        if self._app.leadership is not None and not self._app.leadership.leading:
            return "standby", None  # another process sends (several processes)
        sender = self._app.sender
        idle = (now - (sender.last_pass or self._started)).total_seconds()
        bound = STALL_SECONDS + self._app.settings.send_idle_poll_seconds
        return ("running" if idle <= bound + sender.pacer.paused_for else "stalled"), idle
