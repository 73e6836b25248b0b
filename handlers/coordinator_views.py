"""What coordinators read: request lists and cards, volunteer cards, and their keyboards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.dates import format_skeleton, format_timedelta

from db.models import HelpRequest
from handlers.callbacks import EscCb, LotseCb
from handlers.coordinator_render import history_lines
from handlers.keyboards import button, grid, markup
from handlers.labels import (
    district_label,
    format_day,
    language_label,
    name_label,
    skill_label,
    username_label,
)
from handlers.summary import mention, request_summary
from handlers.views.notices import close_reason_text
from matching.areas import Areas
from matching.escalation import Tier
from matching.status import RequestStatus, VolunteerStatus
from matching.text import isolate
from services.coordination import CloseReason, Outcome
from services.coordination_queries import Assignable, InProgress, VolunteerCard
from services.offering import request_payload

CLOSE_REASONS = list(CloseReason)
HISTORY_MAX = 30


def only_for_coordinators() -> str:
    return _("This is only for coordinators.")


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


def who_label(who: int | str) -> str:
    return isolate(escape(str(who) if isinstance(who, int) else f"@{who}"))


def at_label(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    return isolate(format_skeleton("EHm", moment, tzinfo=tz, locale=locale))


def age_label(since: datetime, now: datetime, locale: str) -> str:
    return format_timedelta(since - now, add_direction=True, locale=locale)


def tier_label(tier: int) -> str:
    names: dict[int, Callable[[], str]] = {
        Tier.VOLUNTEERS: lambda: _("tier 0: volunteers nearby"),
        Tier.LOTSEN: lambda: _("tier 1: Lotsen"),
        Tier.COORDINATORS: lambda: _("tier 2: coordinators"),
    }
    return names[tier]() if tier in names else str(tier)


def status_label(status: RequestStatus) -> str:
    names = {
        RequestStatus.OPEN: lambda: _("open"),
        RequestStatus.ASSIGNED: lambda: _("assigned"),
        RequestStatus.DONE: lambda: _("done"),
        RequestStatus.CANCELLED: lambda: _("cancelled"),
        RequestStatus.CLOSED: lambda: _("closed"),
    }
    return names[status]()


def _open_line(r: HelpRequest, areas: Areas, now: datetime, locale: str, tz: ZoneInfo) -> str:
    nxt = at_label(r.next_step_at, locale, tz) if r.next_step_at else "–"
    return _("• <code>{ref}</code> {topic}, {district}: {age}, {tier}, next step {next}").format(
        ref=r.ref,
        topic=escape(skill_label(areas, r.skill)),
        district=escape(district_label(areas, r.district)),
        age=age_label(r.created_at, now, locale),
        tier=tier_label(r.tier),
        next=nxt,
    )


def open_list(
    items: Sequence[InProgress], areas: Areas, now: datetime, locale: str, tz: ZoneInfo
) -> str:
    if not items:
        return _("No open requests. 🎉")
    head = _("<b>Open requests</b> (oldest first)")
    lines = [_open_line(item.request, areas, now, locale, tz) for item in items]
    return "\n".join([head, *lines, "", _("/request REF shows one with its history.")])


def assigned_list(items: Sequence[InProgress], areas: Areas, now: datetime, locale: str) -> str:
    lines = [
        _("• <code>{ref}</code> {topic}: {volunteer}, {age}").format(
            ref=i.request.ref,
            topic=escape(skill_label(areas, i.request.skill)),
            volunteer=mention(i.request.assignee_id or 0, i.assignee_name or ""),
            age=age_label(i.request.created_at, now, locale),
        )
        for i in items
    ]
    return "\n".join([_("<b>Assigned, not yet done</b>"), *lines])


def request_card(
    r: HelpRequest,
    events: list[dict[str, Any]],
    assignee: str | None,
    *,
    areas: Areas,
    now: datetime,
    locale: str,
    tz: ZoneInfo,
) -> str:
    lines = [
        _("📋 <b>Request {ref}</b>: {status}, {tier}").format(
            ref=isolate(r.ref), status=status_label(r.status), tier=tier_label(r.tier)
        ),
        _("Created {at} ({age})").format(
            at=at_label(r.created_at, locale, tz), age=age_label(r.created_at, now, locale)
        ),
    ]
    if r.next_step_at is not None:
        lines.append(_("Next step: {at}").format(at=at_label(r.next_step_at, locale, tz)))
    if r.assignee_id is not None:
        lines.append(_("Volunteer: {who}").format(who=mention(r.assignee_id, assignee or "")))
    if r.close_reason:
        lines.append(_("Closed: {reason}").format(reason=escape(close_reason_text(r.close_reason))))
    shown = history_lines(events[-HISTORY_MAX:], locale, tz)
    summary = request_summary(areas, request_payload(r), locale)
    title = _("History")
    return "\n".join([*lines, "", summary, "", f"<b>{escape(title)}</b>", *shown])


def request_keyboard(r: HelpRequest) -> InlineKeyboardMarkup | None:
    """Assign and Close while the request is open; Extend once it reached the coordinators."""
    if r.status is not RequestStatus.OPEN:
        return None
    row = [button("✖ " + _("Close"), EscCb(action="close", request_id=r.id))]
    if r.tier == Tier.COORDINATORS:
        row.insert(0, button("⏳ " + _("Extend"), EscCb(action="extend", request_id=r.id)))
    return markup([[button("👤 " + _("Assign"), EscCb(action="assign", request_id=r.id))], row])


def _back(request_id: int) -> list[Any]:
    return [button("« " + _("Back"), EscCb(action="back", request_id=request_id))]


def assign_keyboard(request_id: int, people: Sequence[Assignable]) -> InlineKeyboardMarkup:
    def label(p: Assignable) -> str:
        marks = ("⭐" if p.is_lotse else "") + ("📍" if p.in_district else "")
        marks += ("🗣" if p.speaks else "") + ("✖" if p.declined else "")
        return f"{name_label(p.name, str(p.user_id))} {marks}".strip()

    picks = [
        button(label(p), EscCb(action="pick", request_id=request_id, value=p.user_id))
        for p in people
    ]
    return markup([*grid(picks, 2), _back(request_id)])


def assign_hint() -> str:
    return _("Whom should it go to? ⭐ Lotse, 📍 lives in the district, 🗣 speaks the language.")


def close_labels() -> dict[CloseReason, str]:
    return {
        CloseReason.NO_VOLUNTEER: _("No volunteer available"),
        CloseReason.SOLVED: _("Solved otherwise"),
        CloseReason.OUT_OF_SCOPE: _("Not something volunteers do"),
        CloseReason.DUPLICATE: _("Duplicate"),
    }


def close_keyboard(request_id: int) -> InlineKeyboardMarkup:
    labels = close_labels()
    reasons = [
        button(labels[reason], EscCb(action="reason", request_id=request_id, value=index))
        for index, reason in enumerate(CLOSE_REASONS)
    ]
    return markup([*grid(reasons, 1), _back(request_id)])


def refusal(outcome: Outcome) -> str:
    texts = {
        Outcome.ALREADY_HANDLED: lambda: _(
            "Already handled: this request is no longer open, or another coordinator was quicker."
        ),
        Outcome.TAKEN: lambda: _("Too late: a volunteer has this request now."),
        Outcome.CANCELLED: lambda: _("The person who asked has cancelled this request."),
        Outcome.NOT_FOUND: lambda: _("This request does not exist."),
        Outcome.NO_VOLUNTEER: lambda: _("This person is not an approved volunteer."),
        Outcome.OWN_REQUEST: lambda: _(
            "This volunteer asked for this help themselves. Please choose someone else."
        ),
    }
    return texts[outcome]() if outcome in texts else str(outcome)


def volunteer_status_label(status: VolunteerStatus) -> str:
    names = {
        VolunteerStatus.PENDING: lambda: _("waiting for approval"),
        VolunteerStatus.APPROVED: lambda: _("approved"),
        VolunteerStatus.REJECTED: lambda: _("not approved"),
        VolunteerStatus.BANNED: lambda: _("banned"),
    }
    return names[status]()


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def volunteer_text(card: VolunteerCard, areas: Areas, locale: str) -> str:
    v, p = card.volunteer, card.profile
    who = mention(card.user.id, card.user.first_name)
    if card.user.username:
        who += f" ({escape(username_label(card.user.username))})"
    paused = yes_no(v.paused)
    if v.paused and v.paused_until is not None:
        paused = _("until {day}").format(day=format_day(v.paused_until, locale))
    return "\n".join(
        [
            _("👤 <b>Volunteer</b> {who}, id {id}").format(who=who, id=isolate(str(card.user.id))),
            _("Status: {status}").format(status=volunteer_status_label(v.status)),
            _("Lotse: {answer}").format(answer=yes_no(v.is_lotse)),
            _("Paused: {answer}").format(answer=paused),
            _("Skills: {skills}").format(
                skills=escape(", ".join(sorted(skill_label(areas, s) for s in p.skills)))
            ),
            _("Districts: {districts}").format(
                districts=escape(", ".join(sorted(district_label(areas, d) for d in p.districts)))
            ),
            _("Languages: {languages}").format(
                languages=", ".join(sorted(language_label(code) for code in p.languages))
            ),
            _("Offers in the last 7 days: {n}").format(n=card.offers_7d),
            _("Requests in hand: {n}").format(n=card.open_assignments),
        ]
    )


def volunteer_keyboard(card: VolunteerCard) -> InlineKeyboardMarkup:
    uid = card.user.id
    if card.volunteer.is_lotse:
        toggle = button(_("Remove from the Lotsen"), LotseCb(action="unset", volunteer_id=uid))
    else:
        toggle = button("⭐ " + _("Make a Lotse"), LotseCb(action="set", volunteer_id=uid))
    return markup([[toggle]])


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
