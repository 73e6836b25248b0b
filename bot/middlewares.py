"""Outer middlewares on dp.update, outermost first: the updates in flight, one chat at a time
and the flood guard (bot/throttle.py), the unit of work, aiogram's FSM, the reader's locale."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import replies
from bot.supervise import Running
from db.fsm import current_session
from db.models import OutboxMessage
from handlers.views.direction import for_reader
from handlers.views.document import MadeWhenSent, file_not_made
from matching.locales import interface_language, own_language
from matching.status import Consent
from services.clock import Clock
from services.consent import consent_of
from services.outbox import Due, HeldAnswer, add_answers
from services.updates import claim_update
from services.users import touch_user

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
FailureAnswer = Callable[[Update], Sequence[TelegramMethod[Any]]]


class Delivery(Protocol):
    """The sender, as the unit of work sees it."""

    async def deliver(
        self, leased: Sequence[Due], calls: Sequence[TelegramMethod[Any]] | None = None
    ) -> int: ...

    async def call(self, method: TelegramMethod[Any], chat_id: int) -> Any: ...

    def wake(self) -> None: ...

    @property
    def answer_lease(self) -> timedelta:
        """How long an update's answers stay leased to this process before anyone may send
        them (after a crash)."""
        ...


class InFlight(BaseMiddleware):
    """Outermost: every update being handled is tracked, so that shutdown lets it finish
    (its answers go out, its connection goes back) before the database closes."""

    def __init__(self, running: Running) -> None:
        self._running = running

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        with self._running.track():
            return await handler(event, data)


class UnitOfWork(BaseMiddleware):
    """One short transaction per update, with no Telegram call inside it.

    It skips an update seen before, holds every Bot API call the handlers make (bot/replies.py),
    writes the answers into the outbox with the update's changes, commits, and only then sends:
    toasts directly, answers at once through the sender. If anything fails, everything is
    rolled back and the person hears so in one line, in their language."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        delivery: Delivery,
        *,
        i18n: I18n,
        failure: FailureAnswer,
        ask_consent: bool = False,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._delivery = delivery
        self._i18n = i18n
        self._failure = failure
        self._ask_consent = ask_consent

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        replies.ensure_holding(data["bot"])
        failed = False
        with replies.holding() as held:
            try:
                result, rows = await self._transaction(handler, event, data, held)
            except Exception:
                # Ids only: the exception may quote what the person wrote.
                log.exception("update %s failed and was rolled back", event.update_id)
                held.discard()
                failed = True
        if failed:  # outside `holding`: held, the apology would be discarded with the rest
            await self._tell_failure(event, data)
            return None
        # The toast ends the button's spinner; it goes out beside the answers, not after them.
        bot: Bot = data["bot"]
        toasts = [_quietly(bot(call), event.update_id) for call in held.direct]
        # Answers to somebody who has not agreed to the notice: paced, but never stored.
        toasts += [
            _quietly(self._delivery.call(call, replies.chat_of(call)), event.update_id)
            for call in held.unkept
        ]
        if rows:
            answers = [Due.leased(row) for row in rows]
            await asyncio.gather(self._delivery.deliver(answers, held.rows), *toasts)
        else:
            await asyncio.gather(*toasts)
        await self._send_files(held.files, event.update_id, data.get("locale"))
        self._delivery.wake()
        return result

    async def _send_files(
        self, files: Sequence[TelegramMethod[Any]], update_id: int, locale: str | None
    ) -> None:
        """Photos and documents after the answers (a "working on it" comes first), paced. A
        file made when sent is drawn before it takes its place in the pacer; if drawing fails,
        the others still go out and the person hears once that something is missing."""
        told = False
        for call in files:
            try:
                for file in _made_when_sent(call):
                    await file.make()
            except Exception:
                log.exception("update %s: a file could not be made", update_id)
                if not told:
                    await self._tell_not_made(call, update_id, locale)
                told = True
                continue
            try:
                await self._delivery.call(call, replies.chat_of(call))
            except TelegramAPIError as exc:
                log.info("update %s: a file was not sent: %s", update_id, type(exc).__name__)

    async def _transaction(
        self, handler: Handler, update: Update, data: dict[str, Any], held: replies.Held
    ) -> tuple[Any, list[OutboxMessage]]:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            if not await claim_update(session, update_id=update.update_id, now=now):
                return None, []  # delivered twice: the first delivery did the work
            tg_user: TgUser | None = data.get("event_from_user")
            if tg_user is not None and not tg_user.is_bot:
                await self._know(session, tg_user, data, now)
            data["session"] = session
            token = current_session.set(session)
            try:
                result = await handler(update, data)
            finally:
                current_session.reset(token)
            if not await self._may_keep(session, tg_user, data):
                held.unkept, held.rows = held.rows, []  # sent after the commit, never stored
            answers = [
                (replies.chat_of(call), HeldAnswer.from_dict(replies.dump(call)))
                for call in held.rows
            ]
            rows = add_answers(
                session,
                answers=answers,
                key=str(update.update_id),
                now=now,
                leased_until=now + self._delivery.answer_lease,
            )
        return result, rows

    async def _know(
        self, session: AsyncSession, tg_user: TgUser, data: dict[str, Any], now: datetime
    ) -> None:
        """Who is acting: stored (and refreshed) only once they agreed to the privacy notice;
        until then only their Telegram language is used, to show them the notice."""
        consent = await consent_of(session, tg_user.id) if self._ask_consent else Consent.AGREED
        data["consent"] = consent
        if consent is not Consent.AGREED:
            data["user_locale"] = (None, tg_user.language_code)
            return
        user = await touch_user(
            session,
            user_id=tg_user.id,
            first_name=tg_user.first_name,
            username=tg_user.username,
            language_code=tg_user.language_code,
            now=now,
        )
        data["user_locale"] = (user.locale, user.language_code)

    async def _may_keep(
        self, session: AsyncSession, tg_user: TgUser | None, data: dict[str, Any]
    ) -> bool:
        """May this update's answers be kept in the outbox? Not for somebody who has not
        agreed (also not after saying No just now): nothing about them is stored."""
        if tg_user is None or data.get("consent", Consent.AGREED) is Consent.AGREED:
            return True
        return await consent_of(session, tg_user.id) is Consent.AGREED

    async def _tell_not_made(
        self, call: TelegramMethod[Any], update_id: int, locale: str | None
    ) -> None:
        """The person asked for a file and waits for it: they hear it did not come."""
        locale = locale or self._i18n.default_locale
        with self._i18n.context(), self._i18n.use_locale(locale):
            text = for_reader(file_not_made(), locale)
        chat = replies.chat_of(call)
        await _quietly(self._delivery.call(SendMessage(chat_id=chat, text=text), chat), update_id)

    async def _tell_failure(self, update: Update, data: dict[str, Any]) -> None:
        locale = data.get("locale") or self._i18n.default_locale
        with self._i18n.context(), self._i18n.use_locale(locale):
            calls = self._failure(update)
        bot: Bot = data["bot"]
        for call in calls:
            await _quietly(bot(call), update.update_id)


def _made_when_sent(call: TelegramMethod[Any]) -> list[MadeWhenSent]:
    files = (getattr(call, "photo", None), getattr(call, "document", None))
    return [file for file in files if isinstance(file, MadeWhenSent)]


async def _quietly(call: Awaitable[Any], update_id: int) -> None:
    """A toast or an apology that cannot be sent is not worth failing for."""
    try:
        await call
    except TelegramAPIError as exc:
        log.info("update %s: direct call failed: %s", update_id, type(exc).__name__)


class LocaleMiddleware(I18nMiddleware):
    """The stored choice; else Telegram's language_code without the region, if there is a
    catalog for it; else the default locale, and `language_unknown` in the handlers' data tells
    them to show the language picker first (matching/locales.py)."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        chosen, code = data.get("user_locale") or (None, None)
        tg_user: TgUser | None = data.get("event_from_user")
        if not code and tg_user is not None:
            code = tg_user.language_code
        locale = interface_language(chosen, code, self.i18n.available_locales)
        data["own_language"] = own_language(chosen, code)
        data["language_unknown"] = locale is None
        data["locale"] = locale or self.i18n.default_locale
        return str(data["locale"])
