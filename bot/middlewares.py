"""Outer middlewares on dp.update: one unit of work per update, and the reader's locale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.fsm import current_session
from db.models import ProcessedUpdate
from services.clock import Clock
from services.users import touch_user

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class _Duplicate(Exception):
    pass


class UnitOfWork(BaseMiddleware):
    """Opens one session per update, skips updates seen before, commits, then wakes the sender."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        after_commit: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._after_commit = after_commit

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        now = self._clock.now()
        try:
            async with self._sessions() as session, session.begin():
                # Telegram may deliver an update twice: the second finds its id and does nothing.
                if await session.get(ProcessedUpdate, event.update_id) is not None:
                    return None
                session.add(ProcessedUpdate(update_id=event.update_id, at=now))
                try:
                    await session.flush()
                except IntegrityError as exc:
                    # Two deliveries of one update raced; the other one holds it.
                    raise _Duplicate from exc
                tg_user: TgUser | None = data.get("event_from_user")
                if tg_user is not None and not tg_user.is_bot:
                    user = data["db_user"] = await touch_user(
                        session,
                        user_id=tg_user.id,
                        first_name=tg_user.first_name,
                        username=tg_user.username,
                        language_code=tg_user.language_code,
                        now=now,
                    )
                    # Plain values: the error path reads them after a rollback expired the row.
                    data["user_locale"] = (user.locale, user.language_code)
                data["session"] = session
                token = current_session.set(session)
                try:
                    result = await handler(event, data)
                finally:
                    current_session.reset(token)
        except _Duplicate:
            return None
        self._after_commit()
        return result


class LocaleMiddleware(I18nMiddleware):
    """The stored choice, then Telegram's language_code, then the default."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        chosen, code = data.get("user_locale") or (None, None)
        available = self.i18n.available_locales
        if chosen in available:
            return str(chosen)
        code = code or ""
        tg_user: TgUser | None = data.get("event_from_user")
        if not code and tg_user is not None:
            code = tg_user.language_code or ""
        language = code.replace("_", "-").split("-")[0].lower()
        return language if language in available else self.i18n.default_locale
