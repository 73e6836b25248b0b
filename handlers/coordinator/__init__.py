"""The coordinators' console. Every module listed in MODULES is for coordinators only: the guard
on the router that assembles them answers anybody else before a handler runs, so a forged button
or command changes nothing, and a module added to the list is guarded with no code of its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.types import User as TgUser

from handlers.coordinator import (
    audit,
    broadcast,
    meeting_form,
    meetings,
    notice,
    privacy,
    requests,
    roles,
    rsvp,
    stats,
    volunteer_cards,
    volunteer_filters,
    volunteer_list,
    volunteers,
)
from handlers.views.console import only_for_coordinators
from services.roles import is_coordinator
from services.session import Session


class RouterModule(Protocol):
    def router(self) -> Router: ...


MODULES: tuple[RouterModule, ...] = (
    volunteers,
    volunteer_filters,
    requests,
    notice,
    meeting_form,
    meetings,
    rsvp,
    stats,
    roles,
    audit,
    privacy,
    volunteer_list,
    volunteer_cards,
    broadcast,
)


class CoordinatorsOnly(BaseMiddleware):
    """An inner middleware: it runs after a handler's filters matched, so it answers only what a
    coordinators' handler would have taken; everything else passes on to the other routers."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        # Asked in the database now, inside the update's transaction: a coordinator added or
        # removed a moment ago is let through or refused at once.
        session: Session = data["session"]
        user: TgUser | None = data.get("event_from_user")
        if user is not None and await is_coordinator(session, user.id):
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            await event.answer(only_for_coordinators(), show_alert=True)
        elif isinstance(event, Message):
            await event.answer(only_for_coordinators())
        return None


def router(modules: Iterable[RouterModule] = MODULES) -> Router:
    """The coordinators' router: each module's `router()`, all behind the guard."""
    r = Router(name="coordinator")
    # Inner middlewares reach the handlers of included routers too.
    r.message.middleware(CoordinatorsOnly())
    r.callback_query.middleware(CoordinatorsOnly())
    r.include_routers(*(module.router() for module in modules))
    return r
