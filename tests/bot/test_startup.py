"""Start-up explains itself: each problem an admin can fix is one line naming the setting, exit
code 2, no traceback, and nothing is created before the token is known to be good."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.startup import NO_COORDINATOR, warn_without_coordinators
from bot.token_check import BAD_TOKEN

TOKEN = "123456789:AAHfake-token-for-tests"


@pytest.fixture(autouse=True)
def clean_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A folder without .env, no LOTSE_ variables, and the logging as it was afterwards."""
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("LOTSE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LOTSE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in ("alembic", "apscheduler"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def fake_telegram(status: int, result: object = None) -> Iterator[str]:
    """A local Bot API that answers every call with `status` (and `result` when 200)."""

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            ok = status == 200
            body: dict[str, object] = {"ok": ok, "result": result}
            if not ok:
                body = {"ok": False, "error_code": status}
            if not ok:
                body["description"] = "Unauthorized"
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def refusing_telegram() -> Iterator[str]:
    yield from fake_telegram(401)


@pytest.fixture
def telegram() -> Iterator[str]:
    me = {"id": 4242, "is_bot": True, "first_name": "Lotse", "username": "lotse_test_bot"}
    yield from fake_telegram(200, me)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    lines = (out + err).splitlines()
    assert "Traceback" not in out + err
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "LOTSE_COORDINATORS",
            "@anna",
            'LOTSE_COORDINATORS: "@anna" is not a Telegram id; use numeric ids, '
            "e.g. 123456789 (send /id to the bot)",
        ),
        (
            "LOTSE_DATABASE_URL",
            "sqlite:///x.db",
            "LOTSE_DATABASE_URL: use sqlite+aiosqlite:///… or postgresql+asyncpg://…",
        ),
        (
            "LOTSE_TIMEZONE",
            "Berlin",
            'LOTSE_TIMEZONE: "Berlin" is not a time zone; e.g. Europe/Berlin',
        ),
        ("LOTSE_LOG_LEVEL", "loud", 'LOTSE_LOG_LEVEL: "loud" is not a log level'),
        ("LOTSE_COORDINATOR_CHAT_ID", "group", 'LOTSE_COORDINATOR_CHAT_ID: "group" is not'),
        (
            "LOTSE_PRIVACY_DIR",
            "/nowhere/privacy",
            "LOTSE_PRIVACY_DIR: /nowhere/privacy has no privacy notice; put one file per "
            "language there, e.g. en.txt",
        ),
    ],
)
def test_start_names_the_setting_in_one_line_when_a_setting_is_wrong(
    variable: str,
    value: str,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("LOTSE_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(variable, value)
    assert main(["run"]) == 2
    assert one_line(capsys).startswith(expected)
    assert list(tmp_path.iterdir()) == []


def test_start_says_the_token_is_refused_before_making_the_database_when_telegram_refuses_it(
    refusing_telegram: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("LOTSE_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOTSE_TELEGRAM_API_URL", refusing_telegram)
    assert main(["run"]) == 2
    assert one_line(capsys) == BAD_TOKEN
    assert not (tmp_path / "lotse.db").exists()


def test_start_says_telegram_is_unreachable_in_one_line_when_nothing_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LOTSE_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOTSE_TELEGRAM_API_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("LOTSE_TELEGRAM_CONNECT_ATTEMPTS", "1")
    assert main(["run"]) == 2
    assert one_line(capsys).startswith("LOTSE_BOT_TOKEN: cannot reach Telegram at http://127.0.0.1")
    assert not (tmp_path / "lotse.db").exists()


def test_start_tries_again_with_pauses_when_telegram_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOTSE_TELEGRAM_API_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("LOTSE_TELEGRAM_CONNECT_ATTEMPTS", "3")
    monkeypatch.setenv("LOTSE_TELEGRAM_CONNECT_BACKOFF_SECONDS", "0")
    assert main(["run"]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert "Traceback" not in out + err
    assert sum("trying again" in line for line in lines) == 2
    assert lines[-1].endswith("(3 tries); check the network (or LOTSE_TELEGRAM_API_URL)")


def test_start_says_the_token_is_missing_in_one_line_when_it_is_not_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run"]) == 2
    assert one_line(capsys).startswith("LOTSE_BOT_TOKEN is not set")


def test_check_reports_every_check_ok_when_all_is_set_up(
    telegram: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOTSE_TELEGRAM_API_URL", telegram)
    monkeypatch.setenv("LOTSE_COORDINATORS", "111,222")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["ok"] * 4
    assert "@lotse_test_bot (id 4242)" in lines[1]


def test_check_warns_of_the_missing_coordinators_when_none_is_configured(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["check", "--offline"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"warning  {NO_COORDINATOR}"
    assert [line.split()[0] for line in lines] == ["ok", "ok", "warning"]


def test_check_says_the_database_is_missing_when_it_was_never_made(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--offline"]) == 1
    assert "does not exist yet" in capsys.readouterr().out


def test_start_warns_once_when_no_coordinator_is_configured(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(_env_file=None)
    with caplog.at_level(logging.WARNING):
        warn_without_coordinators(settings, ())
        warn_without_coordinators(settings.model_copy(update={"coordinator_chat_id": -100}), ())
        warn_without_coordinators(settings, (111,))
    assert [record.getMessage() for record in caplog.records] == [NO_COORDINATOR]


def test_lotse_prints_help_and_starts_nothing_when_no_command_is_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main([]) == 2
    assert "usage: lotse" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_lotse_prints_its_version_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("lotse ")


def test_start_says_the_database_cannot_be_opened_in_one_line_when_nothing_listens(
    telegram: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOTSE_TELEGRAM_API_URL", telegram)
    monkeypatch.setenv(
        "LOTSE_DATABASE_URL", f"postgresql+asyncpg://lotse@127.0.0.1:{closed_port()}/lotse"
    )
    assert main(["run"]) == 2
    assert one_line(capsys).startswith("LOTSE_DATABASE_URL: cannot open the database (")


def test_start_names_the_missing_webhook_settings_when_webhook_mode_lacks_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOTSE_MODE", "webhook")
    monkeypatch.setenv("LOTSE_WEBHOOK_BASE_URL", "https://lotse.example.org")
    assert main(["run"]) == 2
    assert one_line(capsys) == "LOTSE_WEBHOOK_SECRET: webhook mode needs it (see .env.example)"
