"""Logs for operators: one JSON object per line on request; Alembic and APScheduler quiet."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.logs import CHATTY, JsonFormatter, setup_logging


@pytest.fixture(autouse=True)
def logging_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET)


def record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("bot.sender", logging.ERROR, __file__, 1, message, args, exc_info)  # type: ignore[arg-type]


def test_json_line_carries_time_level_logger_and_message_when_formatted() -> None:
    line = JsonFormatter().format(record("row %s parked", 42))
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "bot.sender"
    assert entry["message"] == "row 42 parked"
    assert entry["time"].endswith("+00:00")
    assert "exc_info" not in entry


def test_json_line_carries_the_traceback_as_one_string_when_there_is_an_exception() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        line = JsonFormatter().format(record("failed", exc_info=sys.exc_info()))
    assert len(line.splitlines()) == 1
    entry = json.loads(line)
    assert entry["exc_info"].startswith("Traceback")
    assert "RuntimeError: boom" in entry["exc_info"]


def test_alembic_and_apscheduler_keep_quiet_when_the_level_is_info() -> None:
    setup_logging("INFO")
    assert logging.getLogger().level == logging.INFO
    assert not logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.INFO)
    assert not logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.INFO)
    assert logging.getLogger("bot.run").isEnabledFor(logging.INFO)


def test_alembic_speaks_again_when_the_level_is_debug() -> None:
    setup_logging("DEBUG")
    assert logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.INFO)


def test_log_lines_are_json_when_the_format_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", "json")
    setup_logging("INFO", "json")  # a second call replaces its handler: still one line
    logging.getLogger("bot.run").info("polling as bot %s", 7)
    lines = capsys.readouterr().err.splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["polling as bot 7"]
