"""The text of /broadcast: the coordinator's steps, the message as volunteers get it (with a
short header in each reader's language), and the progress message that counts as it goes."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from handlers.callbacks import NavAction, NavCb
from handlers.console_callbacks import BroadcastAction, BroadcastCb
from handlers.keyboards import button, markup
from handlers.views.document import Rendered
from handlers.views.notices import Reader, renders
from matching.status import BroadcastStatus
from services.outbox import BroadcastMessage, BroadcastProgress

# As sent, after HTML escaping; with the header it stays well under Telegram's 4,096.
MAX_CHARS = 3000


def too_long(text: str) -> bool:
    return len(escape(text, quote=False)) > MAX_CHARS


def cancel_keyboard() -> InlineKeyboardMarkup:
    return markup([[button("✖ " + _("Cancel"), NavCb(action=NavAction.CANCEL))]])


def ask_text() -> str:
    return _(
        "Write the message for the volunteers. Send text only, up to {max} characters. "
        "/cancel stops."
    ).format(max=MAX_CHARS)


def text_only() -> str:
    return _("Please send the message as text. Photos, stickers and files cannot be sent.")


def text_too_long(length: int) -> str:
    return _("This message is too long ({n} characters). Please write at most {max}.").format(
        n=length, max=MAX_CHARS
    )


def for_volunteers(text: str) -> str:
    """The message as a volunteer gets it, in the current (the reader's) language."""
    return "📢 <b>" + _("Message from the agency:") + "</b>\n\n" + escape(text, quote=False)


def preview(text: str, count: int) -> tuple[str, InlineKeyboardMarkup]:
    goes = ngettext("It goes to {n} volunteer.", "It goes to {n} volunteers.", count).format(
        n=count
    )
    head = _("The volunteers will see this (the first line in their language):")
    keyboard = markup(
        [
            [
                button("📨 " + _("Send"), BroadcastCb(action=BroadcastAction.SEND)),
                button("✖ " + _("Cancel"), NavCb(action=NavAction.CANCEL)),
            ]
        ]
    )
    return f"{head}\n\n{for_volunteers(text)}\n\n<b>{goes}</b>", keyboard


def started(text: str, count: int) -> str:
    sending = ngettext(
        "Sending to {n} volunteer. You see the progress below.",
        "Sending to {n} volunteers. You see the progress below.",
        count,
    ).format(n=count)
    return f"{for_volunteers(text)}\n\n{sending}"


def already_sent() -> str:
    return _("This message was sent already.")


def nobody() -> str:
    return _("The filter picks no volunteers now. Nothing was sent.")


def not_in_form() -> str:
    return _("This message was sent or cancelled already. /broadcast starts a new one.")


def not_to_banned() -> str:
    return _("Banned volunteers get no broadcasts. Please choose other volunteers.")


def stopping() -> str:
    return _("⏹ Stopping the broadcast. The final count follows in a few seconds.")


def already_ended() -> str:
    return _("This broadcast has already ended.")


def _heading(state: BroadcastStatus) -> str:
    return {
        BroadcastStatus.RUNNING: _("📢 Sending the broadcast…"),
        BroadcastStatus.DONE: _("✅ The broadcast is finished."),
        BroadcastStatus.CANCELLED: _("⏹ The broadcast was stopped."),
    }[state]


@renders(BroadcastMessage)
def _message(p: BroadcastMessage, r: Reader) -> Rendered:
    return for_volunteers(p.text), None


@renders(BroadcastProgress)
def _progress(p: BroadcastProgress, r: Reader) -> Rendered:
    lines = [
        _heading(p.state),
        _("Sent: {n}").format(n=p.sent),
        _("Failed: {n}").format(n=p.failed),
    ]
    if p.state is BroadcastStatus.CANCELLED:
        lines.append(_("Not sent: {n}").format(n=p.not_sent))
    else:
        lines.append(_("Left: {n}").format(n=p.left))
    if p.state is not BroadcastStatus.RUNNING:
        return "\n".join(lines), None
    stop = BroadcastCb(action=BroadcastAction.STOP, broadcast_id=p.broadcast_id)
    return "\n".join(lines), markup([[button("⏹ " + _("Stop sending"), stop)]])
