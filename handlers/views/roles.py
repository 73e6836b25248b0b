"""What /coordinator_add and /coordinator_remove answer."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from services.roles import RoleOutcome


def ask_whom() -> str:
    return _(
        "Who is it? Send their Telegram id or @username, or forward a message from them. "
        "/cancel stops."
    )


def unknown_person() -> str:
    return _(
        "I do not know this person. Please ask them to send /start to the bot first, or send "
        "their Telegram id."
    )


def hidden_sender() -> str:
    return _(
        "This person hides their account in forwarded messages. Please send their Telegram id."
    )


def role_outcome(outcome: RoleOutcome, who: str) -> str:
    texts = {
        RoleOutcome.ADDED: _(
            "{who} is now a coordinator. Their menu of commands appears after the next start "
            "of the bot."
        ),
        RoleOutcome.REMOVED: _("{who} is no longer a coordinator."),
        RoleOutcome.ALREADY: _("{who} is already a coordinator."),
        RoleOutcome.NOT_COORDINATOR: _("{who} is not a coordinator."),
        RoleOutcome.FROM_SETTINGS: _(
            "Sorry, {who} is a coordinator in the bot's settings. Only a change of the settings "
            "can remove them."
        ),
        RoleOutcome.LAST_ONE: _("Sorry, {who} is the last coordinator. Please add another first."),
    }
    return texts[outcome].format(who=who)
