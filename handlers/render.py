"""Text of the messages the outbox pushes, rendered in the reader's language at send time."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import ApproveCb, OfferCb, TaskCb
from handlers.coordinator_render import render_escalation
from handlers.keyboards import button, markup
from handlers.labels import district_label, language_label, skill_label, username_label
from handlers.summary import mention, request_summary
from matching.areas import Areas
from matching.text import isolate
from services.coordination import CloseReason
from services.notices import Notice

Rendered = tuple[str, InlineKeyboardMarkup | None]


def offer_keyboard(offer_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button("✅ " + _("Accept"), OfferCb(action="accept", offer_id=offer_id)),
                button("✖ " + _("Decline"), OfferCb(action="decline", offer_id=offer_id)),
            ]
        ]
    )


def task_keyboard(request_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [button("✔ " + _("Done"), TaskCb(action="done", request_id=request_id))],
            [button(_("I can't make it"), TaskCb(action="release", request_id=request_id))],
        ]
    )


def _offer(areas: Areas, p: dict[str, Any], locale: str) -> Rendered:
    head = _("🙋 <b>Can you help? Request {ref}</b>").format(ref=isolate(p["ref"]))
    if p.get("tier") == 1:
        head += "\n" + _(
            "Nobody nearby has taken this request yet, so we ask you as an experienced Lotse."
        )
    return f"{head}\n\n{request_summary(areas, p, locale)}", offer_keyboard(p["offer_id"])


def _assigned(areas: Areas, p: dict[str, Any], locale: str) -> Rendered:
    text = _(
        "📌 A coordinator has given you request {ref}. Please contact {seeker} to arrange "
        "the details."
    ).format(ref=isolate(p["ref"]), seeker=mention(p["seeker_id"], p["seeker_name"]))
    return f"{text}\n\n{request_summary(areas, p, locale)}", task_keyboard(p["request_id"])


def _approval(p: dict[str, Any], areas: Areas) -> Rendered:
    who = mention(p["volunteer_id"], p["name"])
    if p.get("username"):
        who += f" ({escape(username_label(p['username']))})"
    text = "\n".join(
        [
            _("🆕 <b>New volunteer:</b> {who}").format(who=who),
            _("Skills: {skills}").format(
                skills=escape(", ".join(skill_label(areas, s) for s in p["skills"]))
            ),
            _("Districts: {districts}").format(
                districts=escape(", ".join(district_label(areas, d) for d in p["districts"]))
            ),
            _("Languages: {languages}").format(
                languages=", ".join(language_label(code) for code in p["languages"])
            ),
        ]
    )
    keyboard = markup(
        [
            [
                button(
                    "✅ " + _("Approve"),
                    ApproveCb(action="approve", volunteer_id=p["volunteer_id"]),
                ),
                button(
                    "✖ " + _("Reject"), ApproveCb(action="reject", volunteer_id=p["volunteer_id"])
                ),
            ]
        ]
    )
    return text, keyboard


def _approval_done(p: dict[str, Any]) -> Rendered:
    who = mention(p["volunteer_id"], p["name"])
    # Coordinators know each other by name; the id is only the link's target.
    by = mention(p["by"], p.get("by_name") or _("a coordinator"))
    if p["approved"]:
        return _("✅ {who} was approved by {by}.").format(who=who, by=by), None
    return _("✖ {who} was not approved ({by}).").format(who=who, by=by), None


def close_reason_text(key: str) -> str:
    """The reason a coordinator chose, stored as a key, told to the seeker in their language."""
    texts: dict[str, Callable[[], str]] = {
        CloseReason.NO_VOLUNTEER: lambda: _("Unfortunately no volunteer was available in time."),
        CloseReason.SOLVED: lambda: _("The matter has been solved in another way."),
        CloseReason.OUT_OF_SCOPE: lambda: _(
            "This is not something volunteers can do. Please ask the agency about other help."
        ),
        CloseReason.DUPLICATE: lambda: _("It is the same as another of your requests."),
    }
    return texts[key]() if key in texts else key


def _simple(kind: Notice, p: dict[str, Any]) -> str:
    ref = isolate(p.get("ref", ""))
    texts: dict[Notice, Callable[[], str]] = {
        Notice.OFFER_TAKEN: lambda: _(
            "Request {ref} has been taken by another volunteer. Thank you for being there!"
        ).format(ref=ref),
        Notice.OFFER_WITHDRAWN: lambda: _("Request {ref} is no longer needed.").format(ref=ref),
        Notice.SEEKER_MATCHED: lambda: _(
            "🎉 Good news: {volunteer} will help you with request {ref}. They will write to you; "
            "you can also write to them directly."
        ).format(volunteer=mention(p.get("volunteer_id", 0), p.get("volunteer_name", "")), ref=ref),
        Notice.SEEKER_RELEASED: lambda: _(
            "The volunteer for request {ref} can no longer come. We are looking for someone else "
            "and will tell you as soon as somebody takes it."
        ).format(ref=ref),
        Notice.SEEKER_DONE: lambda: _(
            "Request {ref} is marked as done. We hope it went well!"
        ).format(ref=ref),
        Notice.SEEKER_LOTSEN: lambda: _(
            "Nobody has been able to take request {ref} yet. We are now asking experienced helpers."
        ).format(ref=ref),
        Notice.SEEKER_COORDINATOR: lambda: _(
            "A coordinator is now looking after request {ref} personally."
        ).format(ref=ref),
        Notice.SEEKER_CLOSED: lambda: _(
            "We are sorry: request {ref} has been closed by a coordinator. Reason: {reason}"
        ).format(ref=ref, reason=escape(close_reason_text(p.get("reason", "")))),
        Notice.VOLUNTEER_CANCELLED: lambda: _(
            "Request {ref} was cancelled by the person who asked. You do not need to go. Thank you!"
        ).format(ref=ref),
        Notice.VOLUNTEER_APPROVED: lambda: _(
            "✅ You have been approved as a volunteer. You will get requests that match your "
            "profile. /profile shows it, /pause takes a break, /help lists everything."
        ),
        Notice.VOLUNTEER_REJECTED: lambda: _(
            "Thank you for offering your help. A coordinator could not approve your profile at "
            "this time; please contact the agency if you have questions."
        ),
        Notice.COORDINATOR_SEND_FAILED: lambda: _(
            "⚠️ A message could not be delivered to chat {chat} ({kind}): {error}"
        ).format(
            chat=isolate(str(p.get("chat_id"))),
            kind=escape(str(p.get("kind"))),
            error=escape(str(p.get("error"))[:300]),
        ),
    }
    return texts[kind]()


def render_notice(
    kind: str, payload: dict[str, Any], locale: str, *, areas: Areas, tz: ZoneInfo
) -> Rendered:
    notice = Notice(kind)
    if notice is Notice.OFFER:
        return _offer(areas, payload, locale)
    if notice is Notice.VOLUNTEER_ASSIGNED:
        return _assigned(areas, payload, locale)
    if notice is Notice.APPROVAL_REQUEST:
        return _approval(payload, areas)
    if notice is Notice.APPROVAL_DONE:
        return _approval_done(payload)
    if notice is Notice.COORDINATOR_ESCALATION:
        return render_escalation(areas, payload, locale, tz)
    return _simple(notice, payload), None


def make_renderer(
    i18n: I18n, areas: Areas, tz: ZoneInfo
) -> Callable[[str, dict[str, Any], str], Rendered]:
    """The sender's render function: each message in its reader's locale."""

    def render(kind: str, payload: dict[str, Any], locale: str) -> Rendered:
        with i18n.context(), i18n.use_locale(locale):
            return render_notice(kind, payload, locale, areas=areas, tz=tz)

    return render
