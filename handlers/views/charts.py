"""The statistics as PNG charts for a phone: 1080×1080 pixels, large type, words in the
coordinator's language. `charts` gives every word a chart shows (a seam the tests read);
`render` draws one on a bare matplotlib Figure (no pyplot, no global state: the Agg canvas
writes the PNG), no display needed."""

from __future__ import annotations

import io
from dataclasses import dataclass

from aiogram.utils.i18n import gettext as _
from babel.dates import format_skeleton
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from handlers.views.labels import district_label, label, skill_label
from matching.areas import Areas
from matching.status import RequestStatus
from services.stats import Stats

SIZE_INCHES, DPI = 10.8, 100  # 1080 × 1080 pixels
COLOURS = {"taken": "#2a9d8f", "open": "#e9c46a", "ended": "#b0b0b0"}
OUTCOMES = {  # the chart's three outcomes, from the request's state
    "taken": (RequestStatus.ASSIGNED, RequestStatus.DONE),
    "open": (RequestStatus.OPEN,),
    "ended": (RequestStatus.CANCELLED, RequestStatus.CLOSED),
}
TOP = 12  # bars in a horizontal chart; the rest are summed up as "other"


@dataclass(frozen=True, slots=True)
class Chart:
    filename: str
    title: str
    categories: list[str]
    series: dict[str, list[int]]  # legend -> one value per category
    horizontal: bool

    def words(self) -> list[str]:
        return [self.title, *self.categories, *self.series]


def charts(stats: Stats, areas: Areas, locale: str) -> list[Chart]:
    return [
        _weekly(stats, locale),
        _bars(
            "topics.png", _("Requests by topic"), stats.by_topic, lambda k: skill_label(areas, k)
        ),
        _bars(
            "districts.png",
            _("Requests by district"),
            stats.by_district,
            lambda k: district_label(areas, k),
        ),
    ]


def _weekly(stats: Stats, locale: str) -> Chart:
    weeks = sorted(stats.weeks)
    series = {
        _outcome_label(name): [
            sum(stats.weeks[week].get(s.value, 0) for s in states) for week in weeks
        ]
        for name, states in OUTCOMES.items()
    }
    days = [format_skeleton("dMMM", week, locale=locale) for week in weeks]
    return Chart("weeks.png", _("Requests per week"), days, series, horizontal=False)


def _outcome_label(name: str) -> str:
    if name == "taken":
        return _("Taken")
    if name == "open":
        return label(RequestStatus.OPEN)
    return _("Cancelled or closed")


def _bars(filename: str, title: str, counts: dict[str, int], word: object) -> Chart:
    assert callable(word)
    items = sorted(counts.items(), key=lambda kv: -kv[1])
    shown, rest = items[:TOP], sum(n for _key, n in items[TOP:])
    categories = [str(word(key)) for key, _n in shown]
    values = [n for _key, n in shown]
    if rest:
        categories.append(_("Other"))
        values.append(rest)
    return Chart(filename, title, categories[::-1], {title: values[::-1]}, horizontal=True)


def render(chart: Chart) -> bytes:
    figure = Figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(chart.title, fontsize=30, pad=20)
    axes.tick_params(labelsize=20)
    if chart.horizontal:
        (values,) = chart.series.values()
        axes.barh(chart.categories, values, color=COLOURS["taken"])
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.25 request
    else:
        _stacked(axes, chart)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _stacked(axes: object, chart: Chart) -> None:
    bottom = [0] * len(chart.categories)
    positions = list(range(len(chart.categories)))
    for (legend, values), colour in zip(chart.series.items(), COLOURS.values(), strict=True):
        axes.bar(positions, values, bottom=bottom, label=legend, color=colour)  # type: ignore[attr-defined]
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(positions) // 8)  # at most about 8 dates under the bars
    axes.set_xticks(positions[::step], chart.categories[::step], rotation=45, ha="right")  # type: ignore[attr-defined]
    axes.legend(fontsize=20)  # type: ignore[attr-defined]
