"""Telegram's own surfaces, in the current locale: the command menus (everyone's, and the
coordinators' in their own chats) and what the bot's profile says about Lotse."""

from __future__ import annotations

from aiogram.methods import DeleteMyCommands, SetMyCommands
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from matching.locales import offered


def everyone_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Start: what you can do")),
        BotCommand(command="myrequests", description=_("Your open requests")),
        BotCommand(command="next", description=_("Volunteers: your next meetings")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="help", description=_("All commands")),
        BotCommand(command="cancel", description=_("Stop what you are doing")),
        BotCommand(command="privacy", description=_("Your data: what we store, and why")),
        BotCommand(command="mydata", description=_("What Lotse stores about you")),
        BotCommand(command="forget", description=_("Delete everything about you")),
    ]


def volunteer_commands() -> list[BotCommand]:
    """A volunteer's own commands (/next is in everyone's menu)."""
    return [
        BotCommand(command="profile", description=_("Your profile")),
        BotCommand(command="mytasks", description=_("Requests you took")),
        BotCommand(command="pause", description=_("Take a break")),
        BotCommand(command="resume", description=_("Get requests again")),
        BotCommand(command="quiet", description=_("Quiet hours")),
        BotCommand(command="meetings_off", description=_("No reminders of meetings")),
        BotCommand(command="meetings_on", description=_("Reminders of meetings again")),
    ]


def coordinator_own_commands() -> list[BotCommand]:
    """The coordinators' commands (their arguments in capitals)."""
    return [
        BotCommand(command="pending", description=_("Volunteers waiting for approval")),
        BotCommand(command="open", description=_("Open requests")),
        BotCommand(command="request", description=_("NUMBER: one request and its history")),
        BotCommand(command="escalate", description=_("NUMBER: ask the next tier now")),
        BotCommand(command="assign", description=_("NUMBER VOLUNTEER: give a request to someone")),
        BotCommand(command="volunteers", description=_("Volunteers: filter, approve, ban")),
        BotCommand(command="volunteer", description=_("VOLUNTEER: one volunteer's profile")),
        BotCommand(command="lotse", description=_("VOLUNTEER: add to the Lotsen pool")),
        BotCommand(command="unlotse", description=_("VOLUNTEER: remove from the Lotsen pool")),
        BotCommand(command="meeting_new", description=_("Set up a meeting or an event")),
        BotCommand(command="meetings", description=_("All meetings and events")),
        BotCommand(command="rsvp", description=_("MEETING: who comes, and who came")),
        BotCommand(command="stats", description=_("Figures and charts for a period")),
        BotCommand(command="export", description=_("The annual report as a workbook")),
        BotCommand(command="coordinator_add", description=_("PERSON: make someone a coordinator")),
        BotCommand(
            command="coordinator_remove", description=_("PERSON: end someone's coordinator role")
        ),
        BotCommand(command="audit", description=_("What coordinators did lately")),
        BotCommand(command="erase", description=_("PERSON: delete everything about someone")),
        BotCommand(command="privacy_report", description=_("What personal data Lotse stores")),
        BotCommand(command="broadcast", description=_("Write to chosen volunteers")),
    ]


def coordinator_commands() -> list[BotCommand]:
    """The coordinators' menu: everyone's commands, then their own."""
    return [*everyone_commands(), *coordinator_own_commands()]


def menu_languages(i18n: I18n) -> list[str | None]:
    """Every language with a catalog, then the default (for everybody else)."""
    return [*offered(i18n.available_locales), None]


def coordinator_menus(i18n: I18n, chat_id: int) -> list[SetMyCommands]:
    """The coordinators' menu in one coordinator's chat, in every language."""
    calls = []
    for language in menu_languages(i18n):
        with i18n.context(), i18n.use_locale(language or i18n.default_locale):
            calls.append(
                SetMyCommands(
                    commands=coordinator_commands(),
                    scope=BotCommandScopeChat(chat_id=chat_id),
                    language_code=language,
                )
            )
    return calls


def coordinator_menus_removed(i18n: I18n, chat_id: int) -> list[DeleteMyCommands]:
    """Back to everyone's menu in a former coordinator's chat."""
    scope = BotCommandScopeChat(chat_id=chat_id)
    return [DeleteMyCommands(scope=scope, language_code=code) for code in menu_languages(i18n)]


def help_text(*, volunteer: bool, coordinator: bool) -> str:
    """/help: each role sees the commands of its menus, and only those."""
    sections = [(_("For everyone"), everyone_commands())]
    if volunteer:
        sections.append((_("For volunteers"), volunteer_commands()))
    if coordinator:
        sections.append((_("For coordinators"), coordinator_own_commands()))
    return "\n\n".join(
        "\n".join([f"<b>{title}</b>", *(f"/{c.command} – {c.description}" for c in commands)])
        for title, commands in sections
    )


def description() -> str:
    """The text people see before they start the bot (at most 512 characters)."""
    return _(
        "Lotse connects people who are new in Germany with volunteers. "
        "A volunteer can help you, for example at an office or a school meeting. It is free."
    )


def short_description() -> str:
    """On the bot's profile and when it is shared (at most 120 characters)."""
    return _("Volunteers help people who are new in Germany. It is free.")
