"""Start-up that explains itself: every problem an admin can fix is one line that names the
setting and says what is expected, before anything is created or migrated. `lotse check` runs
the same checks without starting the bot."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import make_url

from bot.config import Settings
from db.engine import create_engine, create_session_factory
from db.migrate import revisions
from services.roles import coordinator_ids

if TYPE_CHECKING:
    from aiogram.types import User

log = logging.getLogger(__name__)

NO_COORDINATOR = (
    "no coordinator is configured, so nobody can approve volunteers: set LOTSE_COORDINATORS "
    "to your Telegram id (send /id to the bot) or LOTSE_COORDINATOR_CHAT_ID"
)


class Problem(Exception):
    """What stops the start, one line each."""

    def __init__(self, *lines: str) -> None:
        super().__init__(*lines)
        self.lines = lines


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise Problem(*settings_problems(exc)) from None


def settings_problems(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        name = "LOTSE_" + str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] != "value_error":
            message = f'"{error["input"]}" is not accepted: {message}'
        lines.append(f"{name}: {message}")
    return lines


def webhook_problems(settings: Settings) -> list[str]:
    if settings.mode != "webhook":
        return []
    missing = [
        name
        for name, value in (
            ("LOTSE_WEBHOOK_BASE_URL", settings.webhook_base_url),
            (
                "LOTSE_WEBHOOK_SECRET",
                settings.webhook_secret and settings.webhook_secret.get_secret_value(),
            ),
        )
        if not value
    ]
    return [f"{name}: webhook mode needs it (see .env.example)" for name in missing]


async def preflight(settings: Settings) -> User:
    """Before `lotse run` creates or migrates anything."""
    if problems := webhook_problems(settings):
        raise Problem(*problems)
    from bot.token_check import who_am_i  # aiogram takes seconds to import: only when needed

    me = await who_am_i(settings)
    await database_state(settings, must_exist=False)
    return me


async def database_state(settings: Settings, *, must_exist: bool = True) -> tuple[int, ...] | None:
    """The coordinators stored, or None when the database needs its migrations first."""
    if must_exist and (missing := _missing_file(settings.database_url)):
        raise Problem(f"database: {missing} does not exist yet; `lotse run` makes it")
    engine = create_engine(settings.database_url)
    try:
        current, head = await revisions(engine)
        if current != head:
            return None
        async with create_session_factory(engine)() as session:
            return await coordinator_ids(session)
    except Exception as exc:  # the drivers' own errors: one line is all the admin needs
        raise Problem(_unreachable(exc)) from None
    finally:
        await engine.dispose()


def _missing_file(database_url: str) -> str | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return None if Path(url.database).exists() else url.database


def _unreachable(exc: BaseException) -> str:
    return f"LOTSE_DATABASE_URL: cannot open the database ({type(exc).__name__}); is it running?"


def coordinators_missing(settings: Settings, stored: Sequence[int]) -> bool:
    return not settings.coordinators and not stored and settings.coordinator_chat_id is None


def warn_without_coordinators(settings: Settings, stored: Sequence[int]) -> None:
    if coordinators_missing(settings, stored):
        log.warning(NO_COORDINATOR)


async def run_checks(settings: Settings, *, offline: bool, out: Callable[[str], None]) -> bool:
    """`lotse check`: one line per check, "ok" or "problem"; True when none is a problem. No
    coordinator is a warning, as at start: the bot runs, but nobody can approve volunteers."""
    results: list[tuple[bool, str]] = [(True, "settings: read")]
    results += [(False, line) for line in webhook_problems(settings)]
    if not offline:
        results.append(await _check(_token_line(settings)))
    results += await _database_lines(settings)
    for fine, line in results:
        out(f"{'ok' if fine else 'warning' if line == NO_COORDINATOR else 'problem':8} {line}")
    return all(fine or line == NO_COORDINATOR for fine, line in results)


async def _token_line(settings: Settings) -> str:
    from bot.token_check import who_am_i

    me = await who_am_i(settings)
    return f"LOTSE_BOT_TOKEN: Telegram knows this bot as @{me.username} (id {me.id})"


async def _check(line: Awaitable[str]) -> tuple[bool, str]:
    try:
        return True, await line
    except Problem as problem:
        return False, " ".join(problem.lines)


async def _database_lines(settings: Settings) -> list[tuple[bool, str]]:
    try:
        stored = await database_state(settings)
    except Problem as problem:
        return [(False, " ".join(problem.lines))]
    if stored is None:
        return [(False, "database: migrations are missing; run `lotse db upgrade` (or start)")]
    lines = [(True, "database: reachable, migrations current")]
    if coordinators_missing(settings, stored):
        return [*lines, (False, NO_COORDINATOR)]
    count = len(set(settings.coordinators) | set(stored))
    return [*lines, (True, f"coordinators: {count}, group chat: {settings.coordinator_chat_id}")]
