"""A volunteer's card in the coordinators' console (/volunteer, the /volunteers list): profile,
standing, activity, and the buttons the volunteer's state allows; the question before a ban."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from handlers.callbacks import LotseAction, LotseCb
from handlers.console_callbacks import CardAction, VolunteerCardCb
from handlers.keyboards import button, markup
from handlers.views.direction import number
from handlers.views.labels import label, name_label, username_label, yes_no
from handlers.views.requests import mention
from handlers.views.time import day_label
from handlers.views.volunteers import profile_lines
from matching.areas import Areas
from matching.status import VolunteerStatus
from matching.text import isolate
from services.banning import BanOutcome
from services.coordination_queries import VolunteerCard
from services.volunteer_queries import Activity


def activity_lines(a: Activity) -> list[str]:
    return [
        _("<b>Activity</b>"),
        _("Offers received: {n}").format(n=number(a.offers)),
        _("Accepted: {n}").format(n=number(a.accepted)),
        _("Done: {n}").format(n=number(a.done)),
        _("Given back: {n}").format(n=number(a.released)),
        _("Meetings attended: {n}").format(n=number(a.meetings)),
    ]


def _who(card: VolunteerCard) -> str:
    who = mention(card.user.id, card.user.first_name)
    if card.user.username:
        who += f" ({escape(username_label(card.user.username))})"
    return who


def _paused(card: VolunteerCard, locale: str) -> str:
    v = card.volunteer
    if v.paused and v.paused_until is not None:
        return _("until {day}").format(day=day_label(v.paused_until, locale))
    return yes_no(v.paused)


def volunteer_text(card: VolunteerCard, areas: Areas, locale: str) -> str:
    """The coordinators' card of a volunteer."""
    v, p = card.volunteer, card.profile
    n7, held = card.offers_7d, card.open_assignments
    return "\n".join(
        [
            _("👤 <b>Volunteer</b> {who}, id {id}").format(
                who=_who(card), id=isolate(str(card.user.id))
            ),
            _("Status: {status}").format(status=label(v.status)),
            _("Lotse: {answer}").format(answer=yes_no(v.is_lotse)),
            _("Paused: {answer}").format(answer=_paused(card, locale)),
            *profile_lines(areas, p.skills, p.districts, p.languages),
            ngettext(
                "Asked {n} time in the last 7 days.", "Asked {n} times in the last 7 days.", n7
            ).format(n=number(n7)),
            ngettext(
                "Has {n} request now, not yet done.", "Has {n} requests now, not yet done.", held
            ).format(n=number(held)),
            "",
            *activity_lines(card.activity),
        ]
    )


def _card_button(text: str, action: CardAction, volunteer_id: int) -> InlineKeyboardButton:
    return button(text, VolunteerCardCb(action=action, volunteer_id=volunteer_id))


def _lotse_button(card: VolunteerCard) -> InlineKeyboardButton:
    uid = card.user.id
    if card.volunteer.is_lotse:
        data = LotseCb(action=LotseAction.UNSET, volunteer_id=uid)
        return button(_("Remove from the Lotsen"), data)
    return button("⭐ " + _("Make a Lotse"), LotseCb(action=LotseAction.SET, volunteer_id=uid))


def volunteer_keyboard(card: VolunteerCard) -> InlineKeyboardMarkup | None:
    """What the volunteer's state allows: a decision while they wait; the Lotse role and a ban
    once approved; lifting the ban once banned. Nothing after a rejection."""
    uid, status = card.user.id, card.volunteer.status
    if status is VolunteerStatus.PENDING:
        approve = _card_button("✅ " + _("Approve"), CardAction.APPROVE, uid)
        return markup([[approve, _card_button("✖ " + _("Reject"), CardAction.REJECT, uid)]])
    if status is VolunteerStatus.APPROVED:
        ban = _card_button("⛔ " + _("Ban"), CardAction.BAN, uid)
        return markup([[_lotse_button(card)], [ban]])
    if status is VolunteerStatus.BANNED:
        return markup([[_card_button(_("Lift the ban"), CardAction.UNBAN, uid)]])
    return None


def ban_question(card: VolunteerCard) -> tuple[str, InlineKeyboardMarkup]:
    """A ban is serious: the card asks first."""
    name = escape(name_label(card.user.first_name, fallback=str(card.user.id)))
    text = _(
        "Ban {name}? Their open offers are withdrawn and their requests go to other volunteers."
    ).format(name=name)
    uid = card.user.id
    yes = _card_button("⛔ " + _("Yes, ban"), CardAction.BAN_SURE, uid)
    return text, markup([[yes, _card_button(_("No"), CardAction.SHOW, uid)]])


def banned_text(done: BanOutcome) -> str:
    """The toast after a ban (plain text)."""
    return _("Banned. Offers withdrawn: {offers}. Requests given to others: {requests}.").format(
        offers=done.withdrawn, requests=done.released
    )


def unbanned_text() -> str:
    return _("The ban is lifted. They can get requests again.")


def unchanged_text() -> str:
    """A double tap, or a button older than the volunteer's state."""
    return _("Nothing to change. The card now shows the current state.")


def no_volunteer_text() -> str:
    return _("This volunteer does not exist.")
