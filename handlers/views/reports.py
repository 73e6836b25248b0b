"""The statistics as words: the short text of /stats, and the workbook and CSV of /export.
Volunteers appear by pseudonym only; no name, username, Telegram id or free text is written."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from openpyxl import Workbook

from handlers.views.labels import district_label, label, language_label, skill_label, tier_label
from handlers.views.time import day_label
from matching.areas import Areas
from services.stats import Activity, RequestRow, Stats


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def figures(stats: Stats) -> list[tuple[str, str]]:
    """The period's figures as (label, value) pairs."""
    return [
        (_("Requests"), str(stats.total)),
        (_("Taken (assigned or done)"), _percent(stats.taken_share)),
        (_("Median minutes to the first offer"), _minutes(stats.median_to_first_offer)),
        (_("Median minutes to acceptance"), _minutes(stats.median_to_acceptance)),
        (_("Reached the Lotsen"), _percent(stats.lotsen_share)),
        (_("Reached the coordinators"), _percent(stats.coordinators_share)),
        (_("Active volunteers"), str(stats.active_volunteers)),
        (_("Lotsen"), str(stats.lotsen)),
        (_("New volunteers"), str(stats.new_volunteers)),
        (_("Meeting attendance"), f"{stats.attended} / {stats.attendance_marked}"),
    ]


def stats_text(stats: Stats, locale: str) -> str:
    first, last = day_label(stats.period.first, locale), day_label(stats.period.last, locale)
    head = _("Statistics {first} – {last}").format(first=first, last=last)
    return "\n".join([f"<b>{head}</b>", *(f"{name}: {value}" for name, value in figures(stats))])


def request_header() -> list[str]:
    return [
        _("Number"),
        _("Created"),
        _("Topic"),
        _("District"),
        _("Language"),
        _("Outcome"),
        _("Tier reached"),
        _("Minutes to the first offer"),
        _("Minutes to acceptance"),
    ]


def request_cells(row: RequestRow, areas: Areas, tz: ZoneInfo) -> list[str | float | None]:
    return [
        row.ref,
        row.created_at.astimezone(tz).date().isoformat(),
        skill_label(areas, row.skill),
        district_label(areas, row.district),
        language_label(row.language),
        label(row.status),
        tier_label(row.tier),
        None if row.to_first_offer is None else round(row.to_first_offer),
        None if row.to_acceptance is None else round(row.to_acceptance),
    ]


def activity_header() -> list[str]:
    return [_("Pseudonym"), _("Offers"), _("Accepted"), _("Declined"), _("Done")]


def activity_cells(row: Activity) -> list[str | int]:
    return [row.pseudonym, row.offers, row.accepted, row.declined, row.done]


def requests_csv(rows: Sequence[RequestRow], areas: Areas, tz: ZoneInfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(request_header())
    writer.writerows(request_cells(row, areas, tz) for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the mark lets spreadsheet programs read UTF-8


def workbook(
    stats: Stats, rows: Sequence[RequestRow], people: Sequence[Activity], areas: Areas, tz: ZoneInfo
) -> bytes:
    """Three sheets: the requests, the figures, the volunteers' activity by pseudonym."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Requests"))
    sheet.append(request_header())
    for row in rows:
        sheet.append(request_cells(row, areas, tz))
    sheet = book.create_sheet(_("Statistics"))
    for pair in figures(stats):
        sheet.append(list(pair))
    sheet = book.create_sheet(_("Volunteers"))
    sheet.append(activity_header())
    for person in people:
        sheet.append(activity_cells(person))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
