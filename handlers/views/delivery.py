"""The coordinators' notice of a message that could not be delivered: to whom, what kind of
message in words a coordinator knows, that it will not be sent again, and why."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from handlers.views.document import Rendered
from handlers.views.notices import Reader, renders
from matching.text import isolate
from services.outbox import Notice, SendFailedNotice


@renders(SendFailedNotice)
def _send_failed(p: SendFailedNotice, r: Reader) -> Rendered:
    lines = [
        _("⚠️ A message could not be delivered."),
        _("To: chat {chat}").format(chat=isolate(str(p.chat_id))),
        _("What: {what}").format(what=_failed_what(p.failed_kind)),
    ]
    said = telegram_answer(p.error)
    if said is None:  # the bot's own error (a message it could not make): no details here
        lines.append(
            _(
                "The bot could not prepare it, so it will not be sent again. "
                "Please tell the people who run the bot."
            )
        )
    else:
        lines.append(_("Telegram refused it for good, so it will not be sent again."))
        lines.append(_("Telegram's answer: {error}").format(error=isolate(escape(said))))
    return "\n".join(lines), None


_ABOUT_A_REQUEST = frozenset(
    {
        Notice.OFFER_TAKEN,
        Notice.OFFER_WITHDRAWN,
        Notice.SEEKER_MATCHED,
        Notice.SEEKER_RELEASED,
        Notice.SEEKER_DONE,
        Notice.SEEKER_LOTSEN,
        Notice.SEEKER_COORDINATOR,
        Notice.SEEKER_CLOSED,
        Notice.VOLUNTEER_ASSIGNED,
        Notice.VOLUNTEER_CANCELLED,
        Notice.COORDINATOR_ESCALATION,
    }
)
_ABOUT_A_PROFILE = frozenset(
    {
        Notice.APPROVAL_REQUEST,
        Notice.APPROVAL_DONE,
        Notice.VOLUNTEER_APPROVED,
        Notice.VOLUNTEER_REJECTED,
        Notice.VOLUNTEER_ROLE_ENDED,
    }
)


def _failed_what(kind: str) -> str:
    """The kind of message that failed, in words a coordinator knows."""
    if kind == Notice.ANSWER:
        return _("a reply to their message or button press")
    if kind == Notice.OFFER:
        return _("a request offered to a volunteer")
    if kind in (Notice.ASSIGNMENT_REMINDER_VOLUNTEER, Notice.ASSIGNMENT_REMINDER_SEEKER):
        return _("a reminder about a request")
    if kind in _ABOUT_A_REQUEST:
        return _("news about a request")
    if kind in _ABOUT_A_PROFILE:
        return _("news about a volunteer profile")
    if kind in (Notice.MEETING_REMINDER, Notice.MEETING_SKIPPED):
        return _("a message about a meeting")
    if kind in (Notice.BROADCAST, Notice.BROADCAST_PROGRESS):
        return _("a broadcast")
    return _("a notice")


def telegram_answer(error: str) -> str | None:
    """Telegram's own words from a stored error ("TelegramBadRequest: Telegram server says -
    Bad Request: message is too long"), without the exception's name and aiogram's preamble;
    None when the error was not Telegram's."""
    name, colon, said = error.partition(": ")
    if not colon or not name.startswith("Telegram"):
        return None
    return said.removeprefix("Telegram server says - ")[:300]
