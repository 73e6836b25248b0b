"""/export of a generated month: the workbook's sheets, columns and rows, the CSV, and not one
name, username, Telegram id or request text of anybody in any cell, field or file part."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.areas import load_areas
from bot.config import DEFAULT_AREAS_FILE
from handlers.views.reports import requests_csv, workbook
from services.stats import activity, request_rows, statistics
from tests.month import OCTOBER, TZ, Month, generate, offers_in_october

LOCALES = Path(__file__).resolve().parents[2] / "locales"
KEY = b"test-pseudonym-key"
REQUEST_COLUMNS = [
    "Number",
    "Created",
    "Topic",
    "District",
    "Language",
    "Outcome",
    "Tier reached",
    "Minutes to the first offer",
    "Minutes to acceptance",
]


@dataclass(frozen=True, slots=True)
class Export:
    month: Month
    xlsx: bytes
    csv: bytes


@pytest.fixture
def english() -> Iterator[None]:
    i18n = I18n(path=LOCALES, default_locale="en")
    with i18n.context(), i18n.use_locale("en"):
        yield


@pytest.fixture
async def export(sessions: async_sessionmaker[AsyncSession], english: None) -> Export:
    async with sessions() as s, s.begin():
        month = await generate(s)
    async with sessions() as s:
        rows = await request_rows(s, period=OCTOBER, tz=TZ)
        stats = await statistics(s, period=OCTOBER, tz=TZ, rows=rows)
        people = await activity(s, period=OCTOBER, tz=TZ, key=KEY)
    areas = load_areas(DEFAULT_AREAS_FILE)
    return Export(month, workbook(stats, rows, people, areas, TZ), requests_csv(rows, areas, TZ))


def _sheets(xlsx: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(xlsx))  # not read-only: every row as wide as its sheet
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _secrets(month: Month) -> set[str]:
    people = {word for name_and_handle in month.people.values() for word in name_and_handle}
    return (
        people
        | {str(user_id) for user_id in month.people}
        | {p.description for p in month.requests}
    )


async def test_the_workbook_has_three_sheets_of_known_shape_when_a_month_is_exported(
    export: Export,
) -> None:
    sheets = _sheets(export.xlsx)
    assert list(sheets) == ["Requests", "Statistics", "Volunteers"]
    requests, figures, volunteers = sheets.values()
    assert list(requests[0]) == REQUEST_COLUMNS
    assert len(requests) == 1 + len(export.month.requests)
    assert all(len(row) == 9 for row in requests)
    planned = export.month.requests
    assert [row[7] for row in requests[1:]] == [
        p.offered[0] if p.offered else None for p in planned
    ]
    assert [row[8] for row in requests[1:]] == [p.accepted for p in planned]
    assert len(figures) == 10 and all(len(row) == 2 for row in figures)
    assert figures[0] == ("Requests", "40")
    offers = offers_in_october(export.month.requests)
    assert list(volunteers[0]) == ["Pseudonym", "Offers", "Accepted", "Declined", "Done"]
    assert len(volunteers) == 1 + len(set(offers))
    assert sum(int(str(row[1])) for row in volunteers[1:]) == len(offers)


async def test_the_csv_has_the_requests_sheets_rows_when_a_month_is_exported(
    export: Export,
) -> None:
    table = _csv(export.csv)
    assert table[0] == REQUEST_COLUMNS
    assert len(table) == 1 + len(export.month.requests)
    requests = _sheets(export.xlsx)["Requests"]
    assert [row[0] for row in table[1:]] == [row[0] for row in requests[1:]]


async def test_nobody_can_be_found_in_any_cell_when_a_month_is_exported(export: Export) -> None:
    secrets = _secrets(export.month)
    assert len(secrets) > 3 * len(export.month.people)
    cells = [
        str(cell)
        for rows in _sheets(export.xlsx).values()
        for row in rows
        for cell in row
        if cell is not None
    ]
    fields = [field for row in _csv(export.csv) for field in row]
    assert len(fields) == 9 * (1 + len(export.month.requests)) and len(cells) > len(fields)
    found = {secret for secret in secrets for text in (*cells, *fields) if secret in text}
    assert not found


async def test_nobody_can_be_found_in_any_part_of_the_file_when_a_month_is_exported(
    export: Export,
) -> None:
    with zipfile.ZipFile(io.BytesIO(export.xlsx)) as archive:
        parts = [archive.read(name).decode("utf-8") for name in archive.namelist()]
    found = {secret for secret in _secrets(export.month) for part in parts if secret in part}
    assert not found
