"""What coordinators name in a command's arguments: a request by its reference, a volunteer by
Telegram id or @username. Each reader answers the coordinator itself when the name is wrong."""

from __future__ import annotations

from html import escape

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from db.models import HelpRequest, Volunteer
from handlers.views.console import who_label
from handlers.views.requests import mention
from matching.text import isolate
from services.request_queries import find_by_ref
from services.session import Session
from services.users import first_name
from services.volunteers import find_volunteer


def parse_who(text: str | None) -> int | str | None:
    """A volunteer as coordinators name them: a numeric Telegram id or @username."""
    word = (text or "").strip()
    if word.isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        number = int(word)
        return number if 0 < number < 2**52 else None  # Telegram ids have 52 bits at most
    name = word.removeprefix("@")
    if word.startswith("@") and 0 < len(name) <= 64 and name.replace("_", "").isalnum():
        return name
    return None


async def request_named(
    message: Message, ref: str | None, session: Session, usage: str
) -> HelpRequest | None:
    """The request a command names, or None after telling the coordinator what is wrong."""
    if not ref or not ref.strip():
        await message.answer(usage)
        return None
    request = await find_by_ref(session, ref)
    if request is None:
        shown = isolate(escape(ref.strip().upper()[:20]))
        await message.answer(_("There is no request {ref}.").format(ref=shown))
    return request


async def volunteer_named(
    message: Message, who_text: str | None, command: str, session: Session
) -> Volunteer | None:
    """The volunteer a command names, or None after telling the coordinator what is wrong."""
    who = parse_who(who_text)
    if who is None:
        await message.answer(
            _(
                "Please give the volunteer's Telegram id or @username. For example: "
                "/{command} @anna or /{command} 123456789."
            ).format(command=command)
        )
        return None
    volunteer = await find_volunteer(session, who)
    if volunteer is None:
        await message.answer(_("There is no volunteer {who}.").format(who=who_label(who)))
    return volunteer


async def user_mention(session: Session, user_id: int) -> str:
    return mention(user_id, await first_name(session, user_id))
