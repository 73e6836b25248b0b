"""For everybody: start, help, language, cancel; the fallback; what a failed update answers."""

from aiogram import Router

from handlers.common import fallback, language, privacy, start


def router() -> Router:
    r = Router(name="common")
    # The language router first: on first contact its picker answers before the greeting.
    r.include_routers(language.router(), start.router(), privacy.router())
    return r


__all__ = ["fallback", "router"]
