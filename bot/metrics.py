"""The figures of /metrics (bot/health.py) in Prometheus' text format. Labels are closed sets
(a kind of update, a state, a tier number), never a name or a text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from aiogram.types import Update
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.pacing import Pacer

if TYPE_CHECKING:
    from bot.health import Vitals, Watch

# The kinds of update Telegram sends: the fields of an Update besides its id.
KINDS = frozenset(Update.model_fields) - {"update_id"}


def update_kind(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key in KINDS), "other")


class Figures(Collector):
    """Read at each scrape from what the watch read just before (the database's figures) and
    from the pacer (the 429s this process was given)."""

    def __init__(self, watch: Watch, pacer: Pacer) -> None:
        self._watch = watch
        self._pacer = pacer

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "lotse_telegram_retry_after",
            "429 Too Many Requests answers from Telegram (all sending paused)",
            value=self._pacer.retry_afters,
        )
        found = self._watch.latest
        if found is None:
            return
        yield _gauge("lotse_database_up", "1 when the database answers", int(found.database))
        yield _gauge("lotse_sender_up", "1 when the outbox sender runs", found.sender == "running")
        if found.sender_idle_seconds is not None:
            yield _gauge(
                "lotse_sender_idle_seconds",
                "Seconds since the outbox sender last went round",
                found.sender_idle_seconds,
            )
        if found.database:
            yield from _database_figures(found)


def _database_figures(found: Vitals) -> Iterator[Metric]:
    yield _gauge(
        "lotse_outbox_oldest_due_seconds",
        "Seconds the longest-waiting unsent message has been due (0: none waiting)",
        found.oldest_due_seconds or 0.0,
    )
    outbox = GaugeMetricFamily(
        "lotse_outbox_messages", "Outbox messages by state", labels=["status"]
    )
    for status, count in found.outbox.items():
        outbox.add_metric([str(status)], count)
    yield outbox
    requests = GaugeMetricFamily(
        "lotse_open_requests", "Requests nobody has taken yet, by escalation tier", labels=["tier"]
    )
    for tier, count in sorted(found.open_by_tier.items()):
        requests.add_metric([str(tier)], count)
    yield requests


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value))
