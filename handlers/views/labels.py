"""How structured values are shown: each in the reader's language, through the catalogs.

One registry, LABELS, names every enum member people read about (statuses, tiers, outcomes,
reasons, history events); `label(member)` translates it when it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Any

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel import Locale, UnknownLocaleError

from handlers.views.audit_labels import AUDIT_LABELS
from handlers.views.direction import number
from handlers.views.time import day_label
from matching.areas import Areas
from matching.escalation import Tier
from matching.locales import OWN_NAMES
from matching.status import AuditAction, RequestStatus, Standing, VolunteerStatus, WhenKind
from matching.text import clean, isolate
from services.answers import Answer
from services.coordination import CloseReason, Outcome
from services.events import EventKind
from services.requests import CancelOutcome
from services.volunteers import Decided, LotseOutcome


def N_(message: str) -> str:
    return message


# The shipped districts and skills (bot/areas_koeln.toml), marked for the catalogs. A deployment
# with its own file shows its labels as written unless its catalogs translate them.
SHIPPED_LABELS = (
    N_("Innenstadt"),
    N_("Rodenkirchen"),
    N_("Lindenthal"),
    N_("Ehrenfeld"),
    N_("Nippes"),
    N_("Chorweiler"),
    N_("Porz"),
    N_("Kalk"),
    N_("Mülheim"),
    N_("Accompanying to offices"),
    N_("School and parents' meetings"),
    N_("Furniture and moving"),
    N_("Interpreting"),
    N_("German practice"),
    N_("Homework help"),
    N_("Children"),
    N_("Events"),
    N_("Other"),
)

# Where a person chooses the languages they speak (the picker, the volunteers' sign-up), each
# language is named in itself: a speaker finds their own language in its own script, and the
# list is the same for everybody. Where a reader is told a language (a request's, a profile's),
# it is named in the reader's language: language_label.
LANGUAGE_NAMES = OWN_NAMES


def current_locale() -> str:
    """The reader's locale: the update's, or the one a pushed message is rendered in."""
    i18n = I18n.get_current(no_error=True)
    return i18n.current_locale if i18n is not None else "en"


def name_label(name: str | None, fallback: str = "") -> str:
    """A person's name as Telegram gave it, isolated: a right-to-left override inside a name
    cannot reverse the message it is shown in. Plain text: escape it for HTML messages."""
    return isolate(clean(name or "").strip() or fallback)


def username_label(username: str) -> str:
    return isolate("@" + clean(username).strip())


def skill_label(areas: Areas, key: str) -> str:
    """The areas file's label in the reader's language, else its default label translated."""
    own = areas.skill_labels.get(current_locale(), {}).get(key)
    return own if own is not None else _(areas.skills.get(key, key))


def district_label(areas: Areas, key: str) -> str:
    own = areas.district_labels.get(current_locale(), {}).get(key)
    return own if own is not None else _(areas.districts.get(key, key))


def language_label(code: str, locale: str | None = None) -> str:
    """The language's name in the reader's language, as Babel (CLDR) has it: "Persisch" to a
    German reader, "Persian" to an English one; its own name where Babel has none."""
    return _display_name(code, locale or current_locale())


def warm_up(readers: Iterable[str]) -> None:
    """Look up every language's name for every reader once, at start. Babel reads its CLDR
    data from disk the first time a reader's locale is used: about 0.2 s that would otherwise
    stop the event loop in the middle of the first offers sent after a start."""
    for reader in readers:
        for code in LANGUAGE_NAMES:
            _display_name(code, reader)


@lru_cache(maxsize=256)
def _display_name(code: str, reader: str) -> str:
    try:
        name = Locale.parse(reader).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name or LANGUAGE_NAMES.get(code, code)


def when_label(kind: WhenKind | str, day: date | None, locale: str) -> str:
    kind = WhenKind(kind)
    if kind is WhenKind.DATE:
        return day_label(day, locale) if day is not None else label(WhenKind.FLEXIBLE)
    return label(kind)


def label(member: Enum) -> str:
    """The member's text in the reader's language; its value if the registry has none."""
    msgid = LABELS.get(type(member), {}).get(member)
    return _(msgid) if msgid is not None else str(member.value)


def tier_label(tier: int) -> str:
    try:
        return label(Tier(tier))
    except ValueError:
        return str(tier)


def event_label(kind: str, data: dict[str, Any]) -> str:
    """One line of a request's history; kinds this version does not know are shown as stored."""
    try:
        event = EventKind(kind)
    except ValueError:
        return kind
    if event is EventKind.OFFERED:
        n = len(data.get("volunteers", []))
        text = ngettext(
            "offered to {n} person (tier {tier})", "offered to {n} people (tier {tier})", n
        )
        return text.format(n=number(n), tier=number(data.get("tier", 0)))
    return label(event).format(tier=data.get("tier", 0))


def close_reason_text(key: str) -> str:
    """The reason a coordinator chose, stored as a key, told to the seeker in their language."""
    msgid = CLOSE_REASON_SENTENCES.get(key)
    return _(msgid) if msgid is not None else key


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# Sentences to the seeker, not labels: "Closed: {reason}" shows them to coordinators too.
CLOSE_REASON_SENTENCES: Mapping[str, str] = {
    CloseReason.NO_VOLUNTEER: N_("Unfortunately no volunteer was available in time."),
    CloseReason.SOLVED: N_("The matter has been solved in another way."),
    CloseReason.OUT_OF_SCOPE: N_(
        "This is not something volunteers can do. Please ask the agency about other help."
    ),
    CloseReason.DUPLICATE: N_("It is the same as another of your requests."),
}

LABELS: Mapping[type[Enum], Mapping[Enum, str]] = {
    AuditAction: AUDIT_LABELS,  # a line of /audit
    WhenKind: {
        WhenKind.TODAY: N_("Today"),
        WhenKind.WEEK: N_("This week"),
        WhenKind.DATE: N_("Pick a date"),
        WhenKind.FLEXIBLE: N_("Flexible"),
    },
    RequestStatus: {
        RequestStatus.OPEN: N_("open"),
        RequestStatus.ASSIGNED: N_("assigned"),
        RequestStatus.DONE: N_("done"),
        RequestStatus.CANCELLED: N_("cancelled"),
        RequestStatus.CLOSED: N_("closed"),
    },
    VolunteerStatus: {
        VolunteerStatus.PENDING: N_("waiting for approval"),
        VolunteerStatus.APPROVED: N_("approved"),
        VolunteerStatus.REJECTED: N_("not approved"),
        VolunteerStatus.BANNED: N_("banned"),
    },
    Standing: {  # which volunteers a coordinator's list or broadcast is about
        Standing.APPROVED: N_("All approved"),
        Standing.LOTSE: N_("Lotsen"),
        Standing.PAUSED: N_("On a pause"),
        Standing.PENDING: N_("Waiting for approval"),
        Standing.UNREACHABLE: N_("Not reachable"),
        Standing.INACTIVE: N_("Inactive for 90 days"),
        Standing.BANNED: N_("Banned"),
    },
    Tier: {
        Tier.VOLUNTEERS: N_("tier 0: volunteers nearby"),
        Tier.LOTSEN: N_("tier 1: Lotsen"),
        Tier.COORDINATORS: N_("tier 2: coordinators"),
    },
    CloseReason: {  # the coordinators' buttons
        CloseReason.NO_VOLUNTEER: N_("No volunteer available"),
        CloseReason.SOLVED: N_("Solved otherwise"),
        CloseReason.OUT_OF_SCOPE: N_("Not something volunteers do"),
        CloseReason.DUPLICATE: N_("Duplicate"),
    },
    EventKind: {
        EventKind.CREATED: N_("request created"),
        EventKind.NO_CANDIDATES: N_("nobody else to ask"),
        EventKind.ACCEPTED: N_("accepted"),
        EventKind.DECLINED: N_("declined"),
        EventKind.WITHDRAWN: N_("open offers withdrawn"),
        EventKind.RELEASED: N_("released by the volunteer"),
        EventKind.DONE: N_("done"),
        EventKind.CANCELLED: N_("cancelled by the person who asked"),
        EventKind.ESCALATED: N_("moved on to tier {tier}"),
        EventKind.COORDINATORS_NOTIFIED: N_("coordinators notified"),
        EventKind.EXTENDED: N_("extended: Lotsen asked again"),
        EventKind.ASSIGNED: N_("assigned by a coordinator"),
        EventKind.CLOSED: N_("closed by a coordinator"),
        EventKind.VOLUNTEER_BANNED: N_("the volunteer's role was ended: others are asked"),
    },
    Outcome: {  # why a coordinator's action did not happen
        Outcome.ALREADY_HANDLED: N_(
            "Already handled. This request is no longer open, or another coordinator was faster."
        ),
        Outcome.TAKEN: N_("Too late. A volunteer has this request now."),
        Outcome.CANCELLED: N_("The person who asked has cancelled this request."),
        Outcome.NOT_FOUND: N_("This request does not exist."),
        Outcome.NO_VOLUNTEER: N_("This person is not an approved volunteer."),
        Outcome.OWN_REQUEST: N_(
            "This volunteer asked for this help themselves. Please choose someone else."
        ),
    },
    Decided: {  # a coordinator's decision on a volunteer that did not happen
        Decided.ALREADY_APPROVED: N_("This was already decided. The volunteer is approved."),
        Decided.ALREADY_REJECTED: N_("This was already decided. The volunteer is not approved."),
        Decided.ALREADY_DECIDED: N_("Another coordinator has already decided."),
        Decided.NOT_FOUND: N_("This volunteer does not exist."),
    },
    LotseOutcome: {  # {who}: the volunteer
        LotseOutcome.SET: N_("⭐ {who} is now a Lotse."),
        LotseOutcome.UNSET: N_("{who} is no longer a Lotse."),
        LotseOutcome.UNCHANGED: N_("Nothing to change for {who}."),
        LotseOutcome.NOT_FOUND: N_("This volunteer does not exist."),
    },
    CancelOutcome: {  # a seeker cancels a request
        CancelOutcome.CANCELLED: N_("Your request has been cancelled."),
        CancelOutcome.TAKEN: N_(
            "A volunteer has just taken your request. So it is not cancelled. You will get a "
            "message with their name. Do you still want to cancel it? Send /myrequests."
        ),
        CancelOutcome.DONE: N_("This request is already done."),
        CancelOutcome.CLOSED: N_("The agency has already closed this request."),
        CancelOutcome.ALREADY_CANCELLED: N_("This request has already been cancelled."),
        CancelOutcome.NOT_FOUND: N_("This button is not valid for you."),
    },
    Answer: {  # a volunteer answers an offer or a task
        Answer.TAKEN: N_("Another volunteer has already taken this request. Thank you!"),
        Answer.NOT_OPEN: N_("This request is no longer open."),
        Answer.NOT_FOUND: N_("This button is not valid for you."),
        Answer.ALREADY_YOURS: N_("This request is already yours. /mytasks shows it."),
        Answer.ALREADY_ANSWERED: N_("You have already declined this request."),
        Answer.ALREADY_RELEASED: N_("You have already given this request back."),
        Answer.ALREADY_DONE: N_("You have already marked this request as done."),
        Answer.OFFER_ENDED: N_(
            "This offer has ended. If we ask you again, you will get a new message."
        ),
        Answer.CANCELLED: N_("The person who asked has cancelled this request."),
        Answer.CLOSED: N_("The agency has closed this request."),
        Answer.OWN_REQUEST: N_("You cannot take your own request."),
    },
}
