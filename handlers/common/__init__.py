"""For everybody: start, help, language, cancel; the fallback; what a failed update answers."""

from aiogram import Router

from handlers.common import fallback, language, start


def router() -> Router:
    r = Router(name="common")
    r.include_routers(start.router(), language.router())
    return r


__all__ = ["fallback", "router"]
