"""Telegram's own surfaces, in the current locale: the command menus (everyone's, and the
coordinators' in their own chats) and what the bot's profile says about Lotse."""

from __future__ import annotations

from aiogram.types import BotCommand
from aiogram.utils.i18n import gettext as _


def everyone_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Start: what you can do")),
        BotCommand(command="myrequests", description=_("Your open requests")),
        BotCommand(command="next", description=_("Volunteers: your next meetings")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="help", description=_("All commands")),
        BotCommand(command="cancel", description=_("Stop what you are doing")),
    ]


def coordinator_commands() -> list[BotCommand]:
    """Everyone's commands, then the coordinators' own (their arguments in capitals)."""
    return [
        *everyone_commands(),
        BotCommand(command="pending", description=_("Volunteers waiting for approval")),
        BotCommand(command="open", description=_("Open requests")),
        BotCommand(command="request", description=_("NUMBER: one request and its history")),
        BotCommand(command="escalate", description=_("NUMBER: ask the next tier now")),
        BotCommand(command="assign", description=_("NUMBER VOLUNTEER: give a request to someone")),
        BotCommand(command="volunteer", description=_("VOLUNTEER: one volunteer's profile")),
        BotCommand(command="lotse", description=_("VOLUNTEER: add to the Lotsen pool")),
        BotCommand(command="unlotse", description=_("VOLUNTEER: remove from the Lotsen pool")),
        BotCommand(command="meeting_new", description=_("Set up a meeting or an event")),
        BotCommand(command="meetings", description=_("All meetings and events")),
        BotCommand(command="rsvp", description=_("MEETING: who comes, and who came")),
        BotCommand(command="coordinator_add", description=_("PERSON: make someone a coordinator")),
        BotCommand(
            command="coordinator_remove", description=_("PERSON: end someone's coordinator role")
        ),
        BotCommand(command="audit", description=_("What coordinators did lately")),
        BotCommand(command="broadcast", description=_("Write to chosen volunteers")),
    ]


def description() -> str:
    """The text people see before they start the bot (at most 512 characters)."""
    return _(
        "Lotse connects people who are new in Germany with volunteers. "
        "A volunteer can help you, for example at an office or a school meeting. It is free."
    )


def short_description() -> str:
    """On the bot's profile and when it is shared (at most 120 characters)."""
    return _("Volunteers help people who are new in Germany. It is free.")
