"""What the benchmarks share: a seeker's form, a fake Telegram at the transport, counters for
SQL statements and lock errors, the bot as its own process against the emulator, percentiles."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.emulator import Emulator, StoredMessage
from handlers.callbacks import MenuCb, PickCb

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:bench"
COORDINATOR = 900_001
# The error handler's answer (handlers/common/errors.py); every seeker here speaks English.
ERROR_TEXT = "Sorry, something went wrong"
DESCRIPTION = "I need help to build a wardrobe and two beds for my children, please."


# --- the seeker's form -----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing a seeker does: types `text`, or presses the button carrying `data`."""

    text: str | None = None
    data: str | None = None


def form(skill: str, district: str) -> list[Step]:
    """The whole intake, from /start to "Send request" (the last step)."""
    return [
        Step(text="/start"),
        Step(data=MenuCb(action="seek").pack()),
        Step(data=PickCb(field="skill", value=skill).pack()),
        Step(data=PickCb(field="district", value=district).pack()),
        Step(data=PickCb(field="when", value="week").pack()),
        Step(text=DESCRIPTION),
        Step(data=PickCb(field="consent", value="yes").pack()),
        Step(data=PickCb(field="confirm", value="send").pack()),
    ]


# --- a fake Telegram at the transport (dispatcher-level benchmarks) --------------------------


@dataclass(frozen=True)
class Mark:
    """What a chat had been shown when an update went in."""

    chat_id: int
    shown: int
    errors: int
    query_id: str | None


class FakeTelegram(BaseSession):
    """Answers every Bot API call like Telegram, `delay` seconds later (a round trip), and
    tells a waiting benchmark when the bot has answered an update."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.shown: Counter[int] = Counter()  # messages sent or edited, per chat
        self.errors: Counter[int] = Counter()  # answers carrying the error text, per chat
        self.answered: set[str] = set()  # callback query ids
        self._waiters: defaultdict[int, list[asyncio.Future[None]]] = defaultdict(list)
        self._ids = itertools.count(1_000)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        chat_id, text = self._record(method)
        for waiter in self._waiters.pop(chat_id, []):
            if not waiter.done():
                waiter.set_result(None)
        if ERROR_TEXT in text:
            self.errors[chat_id] += 1
        if isinstance(method, SendMessage):
            return Message(  # type: ignore[return-value]
                message_id=next(self._ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                text=method.text,
            )
        return True  # type: ignore[return-value]

    def _record(self, method: TelegramMethod[Any]) -> tuple[int, str]:
        if isinstance(method, AnswerCallbackQuery):
            self.answered.add(method.callback_query_id)
            # Query ids are "<chat>-<n>" (see Feeder), as the emulator makes them.
            return int(method.callback_query_id.split("-")[0]), method.text or ""
        if isinstance(method, SendMessage | EditMessageText | EditMessageReplyMarkup):
            chat_id = int(method.chat_id or 0)
            self.shown[chat_id] += 1
            return chat_id, getattr(method, "text", "")
        return 0, ""

    def mark(self, chat_id: int, query_id: str | None = None) -> Mark:
        return Mark(chat_id, self.shown[chat_id], self.errors[chat_id], query_id)

    def outcome(self, mark: Mark) -> bool | None:
        """True once the update is answered (the chat shown something, a press answered),
        False if it was answered with the error text, None while the answer is still due."""
        if self.errors[mark.chat_id] > mark.errors:
            return False
        if mark.query_id is not None and mark.query_id not in self.answered:
            return None
        return True if self.shown[mark.chat_id] > mark.shown else None

    async def answer(self, mark: Mark, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until the bot has answered the update marked; False if it failed or never did."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (done := self.outcome(mark)) is None:
            waiter = loop.create_future()
            self._waiters[mark.chat_id].append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    await waiter
            except TimeoutError:
                return False
        return done

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""

    async def close(self) -> None:
        return None


class Feeder:
    """Raw updates as Telegram sends them, with ids unique over the whole run."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)

    def update(self, user_id: int, step: Step) -> tuple[dict[str, Any], str | None]:
        """The update for `step`, and its callback query id if it is a press."""
        user = {"id": user_id, "is_bot": False, "first_name": "Seeker", "language_code": "en"}
        chat = {"id": user_id, "type": "private"}
        now = int(time.time())
        update_id = next(self._update_ids)
        if step.text is not None:
            message: dict[str, Any] = {"message_id": next(self._ids), "date": now, "chat": chat}
            message |= {"from": user, "text": step.text}
            if step.text.startswith("/"):
                length = len(step.text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            return {"update_id": update_id, "message": message}, None
        query_id = f"{user_id}-{next(self._ids)}"
        shown = {"message_id": next(self._ids), "date": now, "chat": chat, "text": "…"}
        shown["from"] = {"id": 42, "is_bot": True, "first_name": "Lotse"}
        press = {"id": query_id, "chat_instance": "ci", "from": user, "data": step.data}
        return {"update_id": update_id, "callback_query": press | {"message": shown}}, query_id


# --- counting -------------------------------------------------------------------------------

_statements: ContextVar[list[int] | None] = ContextVar("bench_statements", default=None)


class StatementCounter:
    """Counts the SQL statements sent to the database on behalf of one update: in the task
    that feeds it and in any task it starts (they inherit the context), not in the sender's
    own loop. Counted: every cursor execute, BEGIN IMMEDIATE included; not counted: COMMIT
    and ROLLBACK (DBAPI calls, not statements) and the PRAGMAs run when a connection opens."""

    def __init__(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)

    @staticmethod
    def _on_execute(*_args: Any) -> None:
        box = _statements.get()
        if box is not None:
            box[0] += 1

    @staticmethod
    @contextlib.contextmanager
    def counting() -> Iterator[list[int]]:
        box = [0]
        token = _statements.set(box)
        try:
            yield box
        finally:
            _statements.reset(token)


class LockErrors(logging.Handler):
    """Counts errors this process logs (the error handler, the sender), and among them
    "database is locked" (sqlite3.OperationalError)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.locked = 0
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages[re.sub(r"\d+", "N", record.getMessage().split("\n")[0][:80])] += 1
        exc = record.exc_info[1] if record.exc_info else None
        self.locked += "database is locked" in f"{record.getMessage()} {exc!r}"


# --- the bot as its own process against the emulator ----------------------------------------


@asynccontextmanager
async def bot_process(emu: Emulator, db_url: str, workdir: Path) -> AsyncIterator[Path]:
    """`lotse run` from this worktree, polling `emu`; yields its log file. Only the settings
    given here apply: LOTSE_* variables of the caller and any .env are left out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")} | {
        "PYTHONPATH": str(ROOT),
        "LOTSE_BOT_TOKEN": TOKEN,
        "LOTSE_TELEGRAM_API_URL": emu.base_url,
        "LOTSE_DATABASE_URL": db_url,
        "LOTSE_COORDINATORS": str(COORDINATOR),
        "LOTSE_PRIVACY_NOTICE": "false",  # the bench's people never meet the notice
    }
    log = workdir / "bot.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            *(sys.executable, "-X", "faulthandler", "-m", "bot.cli", "run"),
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield log
    except BaseException:
        sys.stderr.write(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            # Hung: SIGABRT makes faulthandler write every thread's stack into the log.
            proc.send_signal(signal.SIGABRT)
            await proc.wait()
            print("bot process ignored SIGTERM; its stacks:", file=sys.stderr)
            sys.stderr.write(log.read_text(errors="replace")[-3000:])
        locked = log.read_text(errors="replace").count("database is locked")
        print(f"bot process: {locked} 'database is locked' in its log", file=sys.stderr)


def newest_with(emu: Emulator, user_id: int, data: str) -> StoredMessage | None:
    """The newest bot message in the user's chat with a button carrying `data`."""
    for message in reversed(emu.messages_to(user_id)):
        if any(b.get("callback_data") == data for b in message.inline_buttons):
            return message
    return None


async def act(emu: Emulator, user_id: int, step: Step, timeout: float = 30.0) -> float | None:  # noqa: ASYNC109
    """Do `step` as the user (a press on the newest message with that button) and wait for the
    bot's answer: the press answered, and an edit or a new message in the chat. Returns the
    seconds it took, or None if the answer was the error text or never came."""
    message = None
    if step.data is not None:
        try:
            message = await emu.wait_for(
                lambda: newest_with(emu, user_id, step.data or ""), timeout, chat_id=user_id
            )
        except TimeoutError:  # the button never came: an earlier answer went wrong
            return None
    edits = len(message.edits) if message else 0
    newest = emu.last_message_to(user_id)
    before = newest.message_id if newest else 0
    started = time.monotonic()
    query_id = None
    if message is not None and step.data is not None:
        query_id = await emu.press(user_id, message.message_id, step.data)
    else:
        await emu.user_sends(user_id, step.text or "")

    def outcome() -> bool | None:
        alert = emu.callback_answer(query_id) if query_id else {}
        if alert is None:
            return None
        if ERROR_TEXT in str(alert.get("text") or ""):
            return False
        last = emu.last_message_to(user_id)
        if last is not None and last.message_id > before:
            return ERROR_TEXT not in (last.text or "")
        return True if message is not None and len(message.edits) > edits else None

    try:
        await emu.wait_for(lambda: outcome() is not None, timeout, chat_id=user_id)
    except TimeoutError:
        return None
    return time.monotonic() - started if outcome() else None


# --- numbers --------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)
