"""Text of the messages the outbox pushes, rendered in the reader's language at send time: one
renderer per kind of notice, each taking its payload (services/outbox/payloads.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import ApproveCb, OfferCb, TaskCb
from handlers.keyboards import button, markup
from handlers.views.document import Document, Rendered, Shown, for_reader_shown
from handlers.views.labels import close_reason_text, username_label
from handlers.views.privacy import stay_question
from handlers.views.requests import mention, render_escalation, request_summary
from handlers.views.volunteers import profile_lines
from matching.areas import Areas
from matching.escalation import Tier
from matching.text import isolate
from services.outbox import (
    ApprovalDoneNotice,
    ApprovalNotice,
    ApprovedNotice,
    AssignedNotice,
    CancelledNotice,
    ClosedNotice,
    CoordinatorNotice,
    DoneNotice,
    EscalationNotice,
    LotsenNotice,
    MatchedNotice,
    Notice,
    OfferNotice,
    Payload,
    RejectedNotice,
    ReleasedNotice,
    RoleEndedNotice,
    TakenNotice,
    WithdrawnNotice,
    from_json,
)
from services.outbox.payloads import StayQuestion


@dataclass(frozen=True)
class Reader:
    """Who reads the message (their locale) and the deployment's areas and time zone."""

    locale: str
    areas: Areas
    tz: ZoneInfo


P = TypeVar("P", bound=Payload)
Renderer = Callable[[P, Reader], Shown]
# Every kind but Notice.ANSWER, whose payload is a call already made (bot/replies.restore).
RENDERERS: dict[Notice, Renderer[Any]] = {}


def renders(cls: type[P]) -> Callable[[Renderer[P]], Renderer[P]]:
    """Registers the one renderer of `cls`'s kind."""

    def register(renderer: Renderer[P]) -> Renderer[P]:
        if cls.kind in RENDERERS:
            raise RuntimeError(f"a second renderer for {cls.kind}")
        RENDERERS[cls.kind] = renderer
        return renderer

    return register


def render(payload: Payload, reader: Reader) -> Shown:
    return RENDERERS[payload.kind](payload, reader)


def render_notice(
    kind: str, payload: Mapping[str, Any], locale: str, *, areas: Areas, tz: ZoneInfo
) -> Rendered:
    """A notice from its stored form (as /pending shows what the pushed request showed)."""
    shown = render(from_json(kind, payload), Reader(locale, areas, tz))
    if isinstance(shown, Document):
        raise TypeError(f"a {kind} notice is a document, not a message to show in an update")
    return shown


def make_renderer(i18n: I18n, areas: Areas, tz: ZoneInfo) -> Callable[[Payload, str], Shown]:
    """The sender's render function: each message (or document) in its reader's locale."""

    def render_in(payload: Payload, locale: str) -> Shown:
        with i18n.context(), i18n.use_locale(locale):
            shown = render(payload, Reader(locale, areas, tz))
        return for_reader_shown(shown, locale)

    return render_in


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
            [button(_("I can't come"), TaskCb(action="release", request_id=request_id))],
        ]
    )


@renders(OfferNotice)
def _offer(p: OfferNotice, r: Reader) -> Rendered:
    head = _("🙋 <b>Can you help? Request {ref}</b>").format(ref=isolate(p.request.ref))
    if p.tier == Tier.LOTSEN:
        head += "\n" + _(
            "Nobody nearby has taken this request yet. So we ask you as an experienced Lotse."
        )
    summary = request_summary(r.areas, p.request.to_json(), r.locale)
    return f"{head}\n\n{summary}", offer_keyboard(p.offer_id)


@renders(AssignedNotice)
def _assigned(p: AssignedNotice, r: Reader) -> Rendered:
    text = _(
        "📌 A coordinator has given you request {ref}. Please write to {seeker} to arrange "
        "the details."
    ).format(ref=isolate(p.request.ref), seeker=mention(p.seeker_id, p.seeker_name))
    summary = request_summary(r.areas, p.request.to_json(), r.locale)
    return f"{text}\n\n{summary}", task_keyboard(p.request.request_id)


@renders(EscalationNotice)
def _escalation(p: EscalationNotice, r: Reader) -> Rendered:
    return render_escalation(r.areas, p.to_json(), r.locale, r.tz)


@renders(ApprovalNotice)
def _approval(p: ApprovalNotice, r: Reader) -> Rendered:
    who = mention(p.volunteer_id, p.name)
    if p.username:
        who += f" ({escape(username_label(p.username))})"
    lines = [_("🆕 <b>New volunteer:</b> {who}").format(who=who)]
    text = "\n".join(lines + profile_lines(r.areas, p.skills, p.districts, p.languages))
    return text, _approval_keyboard(p.volunteer_id)


def _approval_keyboard(volunteer_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(
                    "✅ " + _("Approve"), ApproveCb(action="approve", volunteer_id=volunteer_id)
                ),
                button("✖ " + _("Reject"), ApproveCb(action="reject", volunteer_id=volunteer_id)),
            ]
        ]
    )


@renders(ApprovalDoneNotice)
def _approval_done(p: ApprovalDoneNotice, r: Reader) -> Rendered:
    who = mention(p.volunteer_id, p.name)
    # Coordinators know each other by name; the id is only the link's target.
    by = mention(p.by, p.by_name or _("a coordinator"))
    if p.approved:
        return _("✅ {who} was approved by {by}.").format(who=who, by=by), None
    return _("✖ {who} was not approved ({by}).").format(who=who, by=by), None


@renders(TakenNotice)
def _taken(p: TakenNotice, r: Reader) -> Rendered:
    return _("Another volunteer has taken request {ref}. Thank you for being there!").format(
        ref=isolate(p.ref)
    ), None


@renders(WithdrawnNotice)
def _withdrawn(p: WithdrawnNotice, r: Reader) -> Rendered:
    return _("Request {ref} is no longer needed.").format(ref=isolate(p.ref)), None


@renders(MatchedNotice)
def _matched(p: MatchedNotice, r: Reader) -> Rendered:
    return _(
        "🎉 Good news! {volunteer} will help you with request {ref}. They will write to you. "
        "You can also write to them."
    ).format(volunteer=mention(p.volunteer_id, p.volunteer_name), ref=isolate(p.ref)), None


@renders(ReleasedNotice)
def _released(p: ReleasedNotice, r: Reader) -> Rendered:
    return _(
        "The volunteer for request {ref} cannot come any more. We are looking for someone "
        "else. We will tell you when somebody takes it."
    ).format(ref=isolate(p.ref)), None


@renders(DoneNotice)
def _done(p: DoneNotice, r: Reader) -> Rendered:
    text = _("Request {ref} is marked as done. We hope it went well!")
    return text.format(ref=isolate(p.ref)), None


@renders(LotsenNotice)
def _lotsen(p: LotsenNotice, r: Reader) -> Rendered:
    return _(
        "Nobody could take request {ref} yet. We are now asking experienced volunteers."
    ).format(ref=isolate(p.ref)), None


@renders(CoordinatorNotice)
def _coordinator(p: CoordinatorNotice, r: Reader) -> Rendered:
    text = _("A coordinator is now looking after request {ref} personally.")
    return text.format(ref=isolate(p.ref)), None


@renders(ClosedNotice)
def _closed(p: ClosedNotice, r: Reader) -> Rendered:
    return _("We are sorry. A coordinator has closed request {ref}. Reason: {reason}").format(
        ref=isolate(p.ref), reason=escape(close_reason_text(p.reason))
    ), None


@renders(CancelledNotice)
def _cancelled(p: CancelledNotice, r: Reader) -> Rendered:
    return _(
        "The person who asked has cancelled request {ref}. You do not need to go. Thank you!"
    ).format(ref=isolate(p.ref)), None


@renders(ApprovedNotice)
def _approved(p: ApprovedNotice, r: Reader) -> Rendered:
    return _(
        "✅ You are now approved as a volunteer. You will get requests that match your "
        "profile. /profile shows your profile. /pause starts a break. /help shows all commands."
    ), None


@renders(RejectedNotice)
def _rejected(p: RejectedNotice, r: Reader) -> Rendered:
    return _(
        "Thank you for offering your help. A coordinator could not approve your profile now. "
        "Do you have questions? Please contact the agency."
    ), None


@renders(RoleEndedNotice)
def _role_ended(p: RoleEndedNotice, r: Reader) -> Rendered:
    return _(
        "The agency has ended your volunteer role. Questions? Please contact the agency."
    ), None


# Meeting reminders and the evening-before reminders, broadcasts and the coordinators' notice
# of a message that could not be delivered register their renderers on import.
from handlers.views import broadcast as _broadcast  # noqa: E402, F401
from handlers.views import delivery as _delivery  # noqa: E402, F401
from handlers.views import meetings as _meetings  # noqa: E402, F401


@renders(StayQuestion)
def _stay(p: StayQuestion, r: Reader) -> Rendered:
    return stay_question()
