"""A stage: the real bot, polling over HTTP a local Telegram emulator, with people acting on it.
Used by `lotse demo` and by the end-to-end tests, so the demo shows what the tests prove."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram.filters.callback_data import CallbackData

from bot.app import App, close, create_app, start_background
from bot.config import Settings
from bot.emulator import Emulator, Event, StoredMessage, format_event, run_emulator
from handlers.privacy_callbacks import ConsentAction, ConsentCb
from services.clock import JumpClock
from services.consent import agree
from services.volunteers import Profile, decide_volunteer, save_profile

TOKEN = "123456:offline-demo"


@dataclass(kw_only=True)
class People:
    """People typing and tapping in Telegram (the emulator), whoever runs the bot."""

    emu: Emulator
    timeout: float = 10.0
    names: dict[int, str] = field(default_factory=dict)
    out: Callable[[str], None] = lambda _text: None
    notice: bool = False  # the bot asks about the privacy notice first

    def note(self, text: str) -> None:
        self.out(text)

    def has_button(self, user_id: int, prefix: str) -> bool:
        return any(
            str(button.get("callback_data", "")).startswith(prefix)
            for message in self.emu.messages_to(user_id)
            for button in message.inline_buttons
        )

    async def tap_ready(self, user_id: int, prefix: str) -> None:
        """Wait until the person has a button with this callback data prefix."""
        await self.wait(lambda: self.has_button(user_id, prefix), f"{prefix!r} for {user_id}")

    def person(self, user_id: int, name: str, language: str = "de") -> int:
        self.emu.add_user(user_id, name, language_code=language)
        self.names[user_id] = name
        return user_id

    async def start(self, user_id: int) -> None:
        """/start, and "I agree" when the bot shows the privacy notice first."""
        await self.say(user_id, "/start")
        if self.notice:
            await self.tap(user_id, ConsentCb(action=ConsentAction.AGREE))

    def _newest_id(self, user_id: int) -> int:
        message = self.emu.last_message_to(user_id)
        return message.message_id if message else 0

    async def say(self, user_id: int, text: str) -> StoredMessage:
        """The person types; returns the bot's answer."""
        before = self._newest_id(user_id)
        await self.emu.user_sends(user_id, text)
        return await self.emu.wait_for_message(user_id, after=before, timeout=self.timeout)

    async def tap(self, user_id: int, data: CallbackData | str) -> dict[str, Any]:
        """The person presses the newest button carrying this callback data (or prefix)."""
        wanted = data.pack() if isinstance(data, CallbackData) else data

        def find() -> tuple[int, str] | None:
            for message in reversed(self.emu.messages_to(user_id)):
                for button in message.inline_buttons:
                    value = str(button.get("callback_data", ""))
                    if value == wanted or (isinstance(data, str) and value.startswith(wanted)):
                        return message.message_id, value
            return None

        message_id, value = await self.emu.wait_for(
            find, self.timeout, description=f"a button {wanted!r} for {user_id}"
        )
        query_id = await self.emu.press(user_id, message_id, value)
        return await self.emu.wait_for_callback_answer(query_id, timeout=self.timeout)

    async def expect(self, user_id: int, contains: str | None = None) -> StoredMessage:
        return await self.emu.wait_for_message(user_id, contains, timeout=self.timeout)

    async def wait(self, predicate: Callable[[], Any], what: str) -> Any:
        return await self.emu.wait_for(predicate, self.timeout, description=what)


@dataclass(kw_only=True)
class Stage(People):
    """People, and the bot running in this process."""

    app: App
    clock: JumpClock

    async def volunteer(
        self,
        user_id: int,
        name: str,
        *,
        skills: set[str],
        districts: set[str],
        languages: set[str],
        lotse: bool = False,
        language: str = "de",
    ) -> int:
        """An approved volunteer, set up directly through the services."""
        self.person(user_id, name, language)
        coordinator = self.app.settings.coordinators[0]
        now = self.clock.now()
        async with self.app.sessions() as session, session.begin():
            await agree(
                session,
                user_id=user_id,
                first_name=name,
                username=None,
                language_code=language,
                locale=None,
                now=now,
            )
            profile = Profile(frozenset(skills), frozenset(districts), frozenset(languages))
            await save_profile(
                session, user_id=user_id, profile=profile, rules=self.app.rules, now=now
            )
            await decide_volunteer(
                session, coordinator_id=coordinator, volunteer_id=user_id, approve=True, now=now
            )
            if lotse:
                from db.models import Volunteer

                v = await session.get(Volunteer, user_id)
                assert v is not None
                v.is_lotse = True
        self.app.sender.wake()
        return user_id


def demo_settings(workdir: Path, base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "database_url": f"sqlite+aiosqlite:///{workdir / 'lotse-demo.db'}",
        "telegram_api_url": base_url,
        "coordinators": (900_001,),
        "send_idle_poll_seconds": 0.5,
        # Scenes that show the privacy notice switch it on (bot/demo.py); people agree to it.
        "privacy_notice": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running_bot(
    emu: Emulator,
    workdir: Path,
    *,
    clock: JumpClock,
    out: Callable[[str], None] | None = None,
    start_sender: bool = True,
    **overrides: Any,
) -> AsyncIterator[Stage]:
    """The real bot polling `emu`, with its database in `workdir` (kept between runs)."""
    settings = demo_settings(workdir, emu.base_url, **overrides)
    app = await create_app(settings, clock=clock)
    if start_sender:
        await start_background(app)
    polling = asyncio.create_task(
        app.dp.start_polling(
            app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1
        )
    )
    try:
        yield Stage(
            emu=emu,
            app=app,
            clock=clock,
            out=out or (lambda _text: None),
            notice=settings.privacy_notice,
        )
    finally:
        await app.dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await close(app)


@asynccontextmanager
async def stage(
    *,
    out: Callable[[str], None] | None = None,
    clock: JumpClock | None = None,
    rate_limits: bool = True,
    workdir: Path | None = None,
    **overrides: Any,
) -> AsyncIterator[Stage]:
    """Start the emulator and the real bot against it; stop both on exit."""
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lotse-")))
        on_event = printer(out) if out else None
        async with (
            run_emulator(rate_limits=rate_limits, on_event=on_event) as emu,
            running_bot(emu, workdir, clock=clock or JumpClock(), out=out, **overrides) as s,
        ):
            yield s


def printer(out: Callable[[str], None] = print) -> Callable[[Event], None]:
    def show(event: Event) -> None:
        out(format_event(event))

    return show
