"""The /stats charts: each a valid 1080×1080 PNG, every word on it in the reader's language."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from PIL import Image

from bot.areas import load_areas
from bot.config import DEFAULT_AREAS_FILE
from handlers.views.charts import Chart, charts, render
from matching.areas import Areas
from matching.stats import by_week
from services.stats import Stats
from tests.month import OCTOBER, START, TZ

LOCALES = Path(__file__).resolve().parents[2] / "locales"
TOPICS = {"furniture": 7, "offices": 5, "interpreting": 2}
# Fifteen topics: the twelve largest get a bar, the other three one bar "other".
MANY = {**TOPICS, **{f"topic{i}": 1 for i in range(12)}}


def _stats(by_topic: dict[str, int]) -> Stats:
    days = (2, 9, 9, 20, 30)
    outcomes = ("done", "assigned", "open", "cancelled", "closed")
    return Stats(
        period=OCTOBER,
        total=sum(by_topic.values()),
        by_topic=by_topic,
        by_district={"ehrenfeld": 9, "nippes": 5},
        by_language={"de": 10, "uk": 4},
        taken_share=0.5,
        median_to_first_offer=12.0,
        median_to_acceptance=95.0,
        lotsen_share=0.25,
        coordinators_share=0.1,
        active_volunteers=6,
        lotsen=2,
        new_volunteers=3,
        attended=4,
        attendance_marked=5,
        weeks=by_week(
            [(START + timedelta(days=d, hours=10), o) for d, o in zip(days, outcomes, strict=True)],
            OCTOBER,
            TZ,
        ),
    )


@pytest.fixture
def areas() -> Areas:
    return load_areas(DEFAULT_AREAS_FILE)


@pytest.fixture
def german() -> Iterator[None]:
    i18n = I18n(path=LOCALES, default_locale="en")
    with i18n.context(), i18n.use_locale("de"):
        yield


def _german_charts(areas: Areas, by_topic: dict[str, int]) -> list[Chart]:
    return charts(_stats(by_topic), areas, "de")


@pytest.mark.usefixtures("german")
def test_every_chart_is_a_1080_pixel_square_png_when_rendered(areas: Areas) -> None:
    for chart in _german_charts(areas, MANY):
        image = Image.open(io.BytesIO(render(chart)))
        assert image.format == "PNG"
        image.verify()  # the whole file, its chunks and checksums
        assert image.size == (1080, 1080), chart.filename


@pytest.mark.usefixtures("german")
def test_the_charts_speak_german_when_the_reader_is_german(areas: Areas) -> None:
    weekly, topics, districts = _german_charts(areas, TOPICS)
    assert [c.filename for c in (weekly, topics, districts)] == [
        "weeks.png",
        "topics.png",
        "districts.png",
    ]
    assert weekly.title == "Anfragen pro Woche"
    assert list(weekly.series) == ["Übernommen", "offen", "Abgesagt oder geschlossen"]
    assert weekly.categories == ["28. Sept.", "5. Okt.", "12. Okt.", "19. Okt.", "26. Okt."]
    assert weekly.series["Übernommen"] == [1, 1, 0, 0, 0]
    assert topics.title == "Anfragen nach Thema"
    assert topics.categories == ["Dolmetschen", "Begleitung zu Ämtern", "Möbel und Umzug"]
    assert topics.series == {"Anfragen nach Thema": [2, 5, 7]}
    assert districts.title == "Anfragen nach Bezirk"
    assert districts.categories == ["Nippes", "Ehrenfeld"]


@pytest.mark.usefixtures("german")
def test_small_topics_are_summed_as_other_when_there_are_more_than_twelve(areas: Areas) -> None:
    topics = _german_charts(areas, MANY)[1]
    assert len(topics.categories) == 13
    assert topics.categories[0] == "Sonstiges"
    assert topics.series["Anfragen nach Thema"][0] == 3
    assert topics.categories[-1] == "Möbel und Umzug"
