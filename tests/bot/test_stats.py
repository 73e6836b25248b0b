"""/stats and /export through the real dispatcher: the files go out after the commit."""

from __future__ import annotations

import pytest
from aiogram.methods import SendDocument, SendPhoto
from aiogram.types import BufferedInputFile

from handlers.callbacks import ReportCb, ReportKind
from handlers.views import charts
from matching.stats import PeriodKind
from tests.bot.harness import Harness, texts
from tests.conftest import COORDINATOR_ID

STRANGER = 777


async def test_a_coordinator_gets_three_charts_when_pressing_this_year(harness: Harness) -> None:
    shown = texts(await harness.send(COORDINATOR_ID, "/stats"))
    assert shown == ["Which period?"]
    data = ReportCb(report=ReportKind.STATS, period=PeriodKind.THIS_YEAR).pack()
    calls = await harness.press(COORDINATOR_ID, data)
    photos = [call for call in calls if isinstance(call, SendPhoto)]
    assert len(photos) == 3
    assert all(isinstance(p.photo, BufferedInputFile) for p in photos)
    assert "Working on it…" in texts(calls)


async def test_a_coordinator_gets_a_workbook_and_a_csv_when_typing_dates(harness: Harness) -> None:
    calls = await harness.send(COORDINATOR_ID, "/export 01.01.2026–31.12.2026")
    names = [
        call.document.filename
        for call in calls
        if isinstance(call, SendDocument) and isinstance(call.document, BufferedInputFile)
    ]
    assert names == ["lotse-2026-01-01-2026-12-31.xlsx", "lotse-2026-01-01-2026-12-31.csv"]


async def test_dates_are_refused_when_they_are_not_valid(harness: Harness) -> None:
    shown = texts(await harness.send(COORDINATOR_ID, "/stats 31.02.2026–01.03.2026"))
    assert shown[0].startswith("Those dates are not valid.")


async def test_a_stranger_is_refused_when_asking_for_stats_or_an_export(harness: Harness) -> None:
    for command in ("/stats", "/export 01.01.2026–31.12.2026"):
        calls = await harness.send(STRANGER, command)
        assert texts(calls) == ["This is only for coordinators."]
        assert not [c for c in calls if isinstance(c, SendPhoto | SendDocument)]


async def test_the_coordinator_hears_it_when_a_chart_cannot_be_drawn_after_the_commit(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(chart: charts.Chart) -> bytes:
        raise ValueError("the plotting library failed")

    # Fault injection: the drawing fails after the answer was committed and sent.
    monkeypatch.setattr(charts, "render", broken)
    data = ReportCb(report=ReportKind.STATS, period=PeriodKind.THIS_YEAR).pack()
    calls = await harness.press(COORDINATOR_ID, data)
    assert not [call for call in calls if isinstance(call, SendPhoto)]
    sorry = "Sorry, the file could not be made. Please try again later."
    assert texts(calls).count(sorry) == 1  # once, not once per chart
