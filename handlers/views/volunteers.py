"""A volunteer as people see them: their own profile card and its menus, the coordinators' card."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from db.models import Volunteer
from handlers.callbacks import (
    MenuAction,
    MenuCb,
    PauseCb,
    ProfileAction,
    ProfileCb,
    QuietCb,
)
from handlers.keyboards import button, markup
from handlers.views.direction import number
from handlers.views.labels import (
    current_locale,
    district_label,
    language_label,
    skill_label,
)
from handlers.views.time import day_label, minutes_label, span_label
from matching.areas import Areas
from matching.status import VolunteerStatus
from services.coordination_queries import VolunteerCard
from services.volunteers import Profile

QUIET_PRESETS = ((22 * 60, 7 * 60), (21 * 60, 8 * 60), (20 * 60, 9 * 60))
PAUSE_DAYS = (7, 14, 30)


def profile_lines(
    areas: Areas, skills: Iterable[str], districts: Iterable[str], languages: Iterable[str]
) -> list[str]:
    """Skills, districts and languages, each sorted by its label in the reader's language."""

    def joined(labels: Iterable[str]) -> str:
        return escape(", ".join(sorted(labels)))

    return [
        _("Skills: {skills}").format(skills=joined(skill_label(areas, s) for s in skills)),
        _("Districts: {districts}").format(
            districts=joined(district_label(areas, d) for d in districts)
        ),
        _("Languages: {languages}").format(
            languages=joined(language_label(code) for code in languages)
        ),
    ]


def quiet_label(start: int, end: int, locale: str | None = None) -> str:
    return span_label(start, end, locale or current_locale())


def status_line(v: Volunteer, today: date, locale: str) -> str:
    if v.status is VolunteerStatus.PENDING:
        return _("Waiting for a coordinator's approval.")
    if v.status is not VolunteerStatus.APPROVED:
        return _("Not active. Please contact the agency.")
    if v.paused and v.paused_until is None:
        return _("Paused until you send /resume.")
    if v.paused and v.paused_until is not None and v.paused_until >= today:
        return _("Paused until {day}.").format(day=day_label(v.paused_until, locale))
    return _("Active. You get requests that match your profile.")


def profile_card(v: Volunteer, p: Profile, areas: Areas, today: date, locale: str) -> str:
    """The volunteer's own card (/profile)."""
    quiet = (
        quiet_label(v.quiet_start, v.quiet_end, locale)
        if v.quiet_start is not None and v.quiet_end is not None
        else _("none")
    )
    lines = [
        _("<b>Your volunteer profile</b>"),
        status_line(v, today, locale),
        *profile_lines(areas, p.skills, p.districts, p.languages),
        _("Quiet hours: {quiet}").format(quiet=quiet),
    ]
    if v.is_lotse:
        lines.append(_("You are a Lotse. We also ask you when nobody nearby answers."))
    return "\n".join(lines)


def card_keyboard(v: Volunteer) -> InlineKeyboardMarkup:
    pause_or_resume = (
        button("▶ " + _("Resume"), ProfileCb(action=ProfileAction.RESUME))
        if v.paused
        else button("⏸ " + _("Pause"), ProfileCb(action=ProfileAction.PAUSE))
    )
    quiet = button("🌙 " + _("Quiet hours"), ProfileCb(action=ProfileAction.QUIET))
    edit = button("✏ " + _("Edit profile"), MenuCb(action=MenuAction.HELP))
    return markup([[edit], [pause_or_resume, quiet]])


def not_registered() -> str:
    return _("You are not registered as a volunteer yet. Send /start and choose “I want to help”.")


def pause_question() -> str:
    return _("How long do you want a break? You will get no requests during the break.")


def pause_keyboard() -> InlineKeyboardMarkup:
    rows = [
        [button(ngettext("{n} day", "{n} days", n).format(n=number(n)), PauseCb(days=n))]
        for n in PAUSE_DAYS
    ]
    rows.append([button(_("Until I resume"), PauseCb(days=0))])
    return markup(rows)


def paused_text(days: int) -> str:
    if not days:
        return _("Paused until you send /resume.")
    return ngettext(
        "Paused for {n} day. /resume ends the break early.",
        "Paused for {n} days. /resume ends the break early.",
        days,
    ).format(n=number(days))


def quiet_question() -> str:
    return _("When should we not send you requests?")


def quiet_keyboard() -> InlineKeyboardMarkup:
    locale = current_locale()

    def span(a: int, b: int) -> str:
        return f"{minutes_label(a, locale)}–{minutes_label(b, locale)}"

    rows = [[button(span(a, b), QuietCb(start=a, end=b))] for a, b in QUIET_PRESETS]
    rows.append([button(_("No quiet hours"), QuietCb(start=-1, end=-1))])
    return markup(rows)


def approval_payload(card: VolunteerCard) -> dict[str, Any]:
    """The APPROVAL_REQUEST payload, so /pending shows what the pushed request showed."""
    return {
        "volunteer_id": card.user.id,
        "name": card.user.first_name,
        "username": card.user.username,
        "skills": sorted(card.profile.skills),
        "districts": sorted(card.profile.districts),
        "languages": sorted(card.profile.languages),
    }
