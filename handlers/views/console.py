"""The coordinators' console over requests: the lists, one request's card, and its buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.dates import format_timedelta

from db.models import HelpRequest
from handlers.callbacks import EscAction, EscCb
from handlers.keyboards import button, grid, markup
from handlers.views.labels import (
    close_reason_text,
    district_label,
    label,
    name_label,
    skill_label,
    tier_label,
)
from handlers.views.requests import history_lines, mention, request_summary
from handlers.views.time import moment_label
from matching.areas import Areas
from matching.escalation import Tier
from matching.status import RequestStatus
from matching.text import isolate
from services.coordination import CloseReason
from services.coordination_queries import Assignable, InProgress
from services.offering import request_payload

CLOSE_REASONS = list(CloseReason)
HISTORY_MAX = 30


def only_for_coordinators() -> str:
    return _("This is only for coordinators.")


def who_label(who: int | str) -> str:
    return isolate(escape(str(who) if isinstance(who, int) else f"@{who}"))


def age_label(since: datetime, now: datetime, locale: str) -> str:
    return format_timedelta(since - now, add_direction=True, locale=locale)


def _open_line(r: HelpRequest, areas: Areas, now: datetime, locale: str, tz: ZoneInfo) -> str:
    nxt = moment_label(r.next_step_at, locale, tz) if r.next_step_at else "–"
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
    return "\n".join([head, *lines, "", _("/request NUMBER shows one request and its history.")])


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


def _card_head(
    r: HelpRequest, assignee: str | None, *, now: datetime, locale: str, tz: ZoneInfo
) -> list[str]:
    lines = [
        _("📋 <b>Request {ref}</b>: {status}, {tier}").format(
            ref=isolate(r.ref), status=label(r.status), tier=tier_label(r.tier)
        ),
        _("Created {at} ({age})").format(
            at=moment_label(r.created_at, locale, tz), age=age_label(r.created_at, now, locale)
        ),
    ]
    if r.next_step_at is not None:
        lines.append(_("Next step: {at}").format(at=moment_label(r.next_step_at, locale, tz)))
    if r.assignee_id is not None:
        lines.append(_("Volunteer: {who}").format(who=mention(r.assignee_id, assignee or "")))
    if r.close_reason:
        lines.append(_("Closed: {reason}").format(reason=escape(close_reason_text(r.close_reason))))
    return lines


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
    lines = _card_head(r, assignee, now=now, locale=locale, tz=tz)
    shown = history_lines(events[-HISTORY_MAX:], locale, tz)
    summary = request_summary(areas, request_payload(r), locale)
    title = _("History")
    return "\n".join([*lines, "", summary, "", f"<b>{escape(title)}</b>", *shown])


def request_keyboard(r: HelpRequest) -> InlineKeyboardMarkup | None:
    """Assign and Close while the request is open; Extend once it reached the coordinators."""
    if r.status is not RequestStatus.OPEN:
        return None
    row = [button("✖ " + _("Close"), EscCb(action=EscAction.CLOSE, request_id=r.id))]
    if r.tier == Tier.COORDINATORS:
        row.insert(0, button("⏳ " + _("Extend"), EscCb(action=EscAction.EXTEND, request_id=r.id)))
    assign = button("👤 " + _("Assign"), EscCb(action=EscAction.ASSIGN, request_id=r.id))
    return markup([[assign], row])


def _back(request_id: int) -> list[InlineKeyboardButton]:
    return [button("« " + _("Back"), EscCb(action=EscAction.BACK, request_id=request_id))]


def _assignable_label(p: Assignable) -> str:
    marks = ("⭐" if p.is_lotse else "") + ("📍" if p.in_district else "")
    marks += ("🗣" if p.speaks else "") + ("✖" if p.declined else "")
    return f"{name_label(p.name, str(p.user_id))} {marks}".strip()


def assign_keyboard(request_id: int, people: Sequence[Assignable]) -> InlineKeyboardMarkup:
    picks = [
        button(
            _assignable_label(p),
            EscCb(action=EscAction.PICK, request_id=request_id, value=p.user_id),
        )
        for p in people
    ]
    return markup([*grid(picks, 2), _back(request_id)])


def assign_hint() -> str:
    return _("Who should get it? ⭐ Lotse, 📍 lives in the district, 🗣 speaks the language.")


def close_keyboard(request_id: int) -> InlineKeyboardMarkup:
    reasons = [
        button(label(reason), EscCb(action=EscAction.REASON, request_id=request_id, value=index))
        for index, reason in enumerate(CLOSE_REASONS)
    ]
    return markup([*grid(reasons, 1), _back(request_id)])
