"""What people read about their data: /mydata, /forget, a coordinator's /erase and
/privacy_report, and the question to volunteers who were silent for a year."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import EraseCb, ForgetCb, StayCb
from handlers.keyboards import button, markup
from handlers.views.labels import label, name_label
from handlers.views.time import moment_label
from matching.status import VolunteerStatus
from services.privacy.report import PrivacyReport


def my_data_caption() -> str:
    return _("This file holds everything Lotse stores about you.")


def forget_question() -> str:
    return _(
        "Do you want Lotse to delete everything about you? "
        "Your open requests are cancelled. Your volunteers are told. "
        "This cannot be undone."
    )


def forget_keyboard() -> InlineKeyboardMarkup:
    return markup(
        [
            [button(_("Yes, delete everything"), ForgetCb(yes=True))],
            [button(_("No"), ForgetCb(yes=False))],
        ]
    )


def forgotten() -> str:
    """A toast: at most 200 characters in every language."""
    return _("Everything about you is deleted. Send /start if you want to begin again.")


def kept() -> str:
    return _("Nothing was deleted.")


def erase_usage() -> str:
    return _("Please name the person: /erase 123456789 or /erase @name.")


def nobody() -> str:
    return _("Lotse stores nobody with this id or username.")


def erase_question(user_id: int, name: str) -> tuple[str, InlineKeyboardMarkup]:
    text = _("Delete everything about {name}? This cannot be undone.").format(
        name=escape(name_label(name, fallback=str(user_id)))
    )
    keyboard = markup(
        [
            [button(_("Yes, delete everything"), EraseCb(user_id=user_id, yes=True))],
            [button(_("No"), EraseCb(user_id=user_id, yes=False))],
        ]
    )
    return text, keyboard


def erased() -> str:
    return _("Done. Everything about this person is deleted.")


def stay_question() -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "You have not used Lotse for a year. Do you want to stay a volunteer? "
        "If you do not answer within a month, we delete your data."
    )
    keyboard = markup(
        [[button(_("Stay"), StayCb(stay=True)), button(_("Leave"), StayCb(stay=False))]]
    )
    return text, keyboard


def not_asked() -> str:
    return _("This button is no longer valid.")


def stayed() -> str:
    return _("Thank you! You stay a volunteer.")


def report_text(report: PrivacyReport, locale: str, tz: ZoneInfo) -> str:
    young, middle, old = report.requests_by_age
    lines = [
        "<b>" + _("Data Lotse stores") + "</b>",
        _("People: {n}").format(n=report.people),
        _("People who asked for help: {n}").format(n=report.seekers),
        _("Coordinators: {n}").format(n=report.coordinators),
        *_volunteer_lines(report.volunteers),
        _("Requests under 30 days old: {n}").format(n=young),
        _("Requests 30 to 90 days old: {n}").format(n=middle),
        _("Requests over 90 days old: {n}").format(n=old),
        _last_run(report.last_run, report.last_counts, locale, tz),
    ]
    return "\n".join(lines)


def _volunteer_lines(volunteers: dict[VolunteerStatus, int]) -> list[str]:
    return [
        _("Volunteers, {status}: {n}").format(status=label(status), n=volunteers.get(status, 0))
        for status in VolunteerStatus
    ]


def _last_run(at: datetime | None, counts: dict[str, int], locale: str, tz: ZoneInfo) -> str:
    if at is None:
        return _("Old data has not been deleted yet.")
    words = _count_words()
    done = [words[name].format(n=n) for name, n in counts.items() if name in words]
    return _("Old data last deleted: {when}").format(when=moment_label(at, locale, tz)) + "".join(
        "\n• " + line for line in done
    )


def _count_words() -> dict[str, str]:
    """What a retention run did, by the names of its counts (services/privacy/retention.py)."""
    return {
        "requests": _("old requests without text and name: {n}"),
        "payloads": _("sent messages emptied: {n}"),
        "messages": _("sent messages deleted: {n}"),
        "updates": _("update numbers deleted: {n}"),
        "asked": _("silent volunteers asked: {n}"),
        "removed": _("silent volunteers deleted: {n}"),
    }
