"""aiogram routers grouped by role. `build_router` assembles them, in the order they are asked;
`warm_up` loads at start what they would otherwise read on first use."""

from collections.abc import Iterable

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers import coordinator, seeker, volunteer
from handlers.common import consent, fallback, ids
from handlers.common import router as common_router
from handlers.views import labels
from matching import language


def warm_up(locales: Iterable[str]) -> None:
    """Babel's language names for every reader, and the language models for descriptions: read
    on first use, they would stop the event loop in the middle of someone's update (0.25 s
    for Babel's data, up to 0.3 s for the models)."""
    labels.warm_up(locales)
    language.warm_up()


def build_router() -> Router:
    """A new router tree on every call: aiogram attaches a router to one parent only, and tests
    and several workers in one process build several dispatchers."""
    # Conversations happen in private chats; in a group (the coordinators') the bot stays quiet,
    # except for the coordinators' own commands and buttons, and /id.
    private = Router(name="private")
    private.message.filter(F.chat.type == ChatType.PRIVATE)
    private.include_routers(common_router(), seeker.router(), volunteer.router())
    # The fallback answers whatever nobody else took, so it comes last, after the coordinators.
    rest = Router(name="private.rest")
    rest.message.filter(F.chat.type == ChatType.PRIVATE)
    rest.include_router(fallback.router())
    root = Router(name="lotse")
    # /id first: it answers in any chat, before anyone has registered (handlers/common/ids.py).
    # Then the privacy notice: whoever has not agreed is asked first (handlers/common/consent.py).
    # Then the people who ask and who help, nearly every update, before the coordinators'
    # fourteen routers: their commands and buttons are their own, so the order changes nothing
    # but the time an update takes to find its handler.
    root.include_routers(ids.router(), consent.router(), private, coordinator.router(), rest)
    return root
