"""The kinds of pushed message and their payloads: one frozen dataclass per kind, which knows
its kind. The outbox stores the kind and the payload as JSON (services/outbox/codec.py);
handlers/views/notices.py turns a payload into text in the reader's language when it is sent.

Fields that hold personal data (names, usernames, free text as written) are marked with
`personal()`; `personal_fields` lists them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from matching.escalation import Tier
from matching.status import WhenKind
from services.outbox.codec import Record, inline, personal, record


class Notice(enum.StrEnum):
    # The answer to what a person just did, already rendered: the payload is the Bot API call.
    ANSWER = "api_call"
    OFFER = "offer"
    OFFER_TAKEN = "offer_taken"
    OFFER_WITHDRAWN = "offer_withdrawn"
    SEEKER_MATCHED = "seeker_matched"
    SEEKER_RELEASED = "seeker_released"
    SEEKER_DONE = "seeker_done"
    SEEKER_LOTSEN = "seeker_lotsen"
    SEEKER_COORDINATOR = "seeker_coordinator"
    SEEKER_CLOSED = "seeker_closed"
    VOLUNTEER_ASSIGNED = "volunteer_assigned"
    VOLUNTEER_CANCELLED = "volunteer_cancelled"
    APPROVAL_REQUEST = "approval_request"
    APPROVAL_DONE = "approval_done"
    VOLUNTEER_APPROVED = "volunteer_approved"
    VOLUNTEER_REJECTED = "volunteer_rejected"
    COORDINATOR_ESCALATION = "coordinator_escalation"
    COORDINATOR_SEND_FAILED = "coordinator_send_failed"
    MEETING_REMINDER = "meeting_reminder"
    MEETING_SKIPPED = "meeting_skipped"
    ASSIGNMENT_REMINDER_VOLUNTEER = "task_reminder"
    ASSIGNMENT_REMINDER_SEEKER = "request_reminder"
    STAY_QUESTION = "stay_question"
    VOLUNTEER_ROLE_ENDED = "volunteer_role_ended"
    BROADCAST = "broadcast"
    BROADCAST_PROGRESS = "broadcast_progress"


class Payload(Record):
    """A message's payload; `kind` says which message it is."""

    kind: ClassVar[Notice]


@record
class RequestFacts(Record):
    """What every reader of a request sees: topic, district, time, the description."""

    request_id: int
    ref: str
    skill: str
    district: str
    when_kind: WhenKind
    when_date: date | None
    description: str = personal()
    language: str
    urgent: bool


@record
class HeldAnswer(Payload):
    """An update's answer, already made: the Bot API call (its text may name people)."""

    kind = Notice.ANSWER
    method: str
    params: dict[str, Any] = personal()


@record
class OfferNotice(Payload):
    kind = Notice.OFFER
    request: RequestFacts = inline()
    offer_id: int
    tier: Tier


@record
class AboutRequest(Payload):
    """A notice about one request, known by its reference."""

    ref: str
    request_id: int


@record
class RequestNews(AboutRequest):
    """A notice that says nothing but what happened to the request."""


@record
class TakenNotice(RequestNews):
    kind = Notice.OFFER_TAKEN


@record
class WithdrawnNotice(RequestNews):
    kind = Notice.OFFER_WITHDRAWN


@record
class MatchedNotice(AboutRequest):
    kind = Notice.SEEKER_MATCHED
    volunteer_id: int
    volunteer_name: str = personal()


@record
class ReleasedNotice(RequestNews):
    kind = Notice.SEEKER_RELEASED


@record
class DoneNotice(RequestNews):
    kind = Notice.SEEKER_DONE


@record
class LotsenNotice(RequestNews):
    kind = Notice.SEEKER_LOTSEN


@record
class CoordinatorNotice(RequestNews):
    kind = Notice.SEEKER_COORDINATOR


@record
class ClosedNotice(AboutRequest):
    kind = Notice.SEEKER_CLOSED
    reason: str  # a CloseReason, or what a coordinator wrote as it is


@record
class AssignedNotice(Payload):
    kind = Notice.VOLUNTEER_ASSIGNED
    request: RequestFacts = inline()
    seeker_id: int
    seeker_name: str = personal()


@record
class CancelledNotice(RequestNews):
    kind = Notice.VOLUNTEER_CANCELLED


@record
class ApprovalNotice(Payload):
    kind = Notice.APPROVAL_REQUEST
    volunteer_id: int
    name: str = personal()
    username: str | None = personal()
    skills: tuple[str, ...]
    districts: tuple[str, ...]
    languages: tuple[str, ...]


@record
class ApprovalDoneNotice(Payload):
    kind = Notice.APPROVAL_DONE
    volunteer_id: int
    name: str = personal()
    approved: bool
    by: int
    by_name: str = personal()


@record
class ApprovedNotice(Payload):
    kind = Notice.VOLUNTEER_APPROVED


@record
class RejectedNotice(Payload):
    kind = Notice.VOLUNTEER_REJECTED


@record
class RoleEndedNotice(Payload):
    """To a banned volunteer: neutral, without the reasons."""

    kind = Notice.VOLUNTEER_ROLE_ENDED


@record
class HistoryEntry(Record):
    """One event of a request's history (request_events: ids, tiers, reasons)."""

    at: datetime
    kind: str
    data: dict[str, Any]


@record
class EscalationNotice(Payload):
    kind = Notice.COORDINATOR_ESCALATION
    request: RequestFacts = inline()
    history: tuple[HistoryEntry, ...]
    notice: int


@record
class SendFailedNotice(Payload):
    kind = Notice.COORDINATOR_SEND_FAILED
    chat_id: int
    failed_kind: str
    error: str  # Telegram's answer


@record
class TaskReminder(Payload):
    """The evening before a dated request: to its volunteer, with what they read when they took
    it and the way to the person who asked."""

    kind = Notice.ASSIGNMENT_REMINDER_VOLUNTEER
    request: RequestFacts = inline()
    day: date
    seeker_id: int
    seeker_name: str = personal()


@record
class RequestReminder(AboutRequest):
    """The evening before a dated request: to its seeker."""

    kind = Notice.ASSIGNMENT_REMINDER_SEEKER
    day: date
    volunteer_id: int
    volunteer_name: str = personal()


@record
class StayQuestion(Payload):
    """To a volunteer silent for a year: stay, or leave (services/privacy/retention.py)."""

    kind = Notice.STAY_QUESTION


# The meetings' and the broadcast's kinds live beside them; imported here, after Notice and
# Payload exist.
from services.outbox.broadcast_payloads import BroadcastMessage as BroadcastMessage  # noqa: E402
from services.outbox.broadcast_payloads import BroadcastProgress as BroadcastProgress  # noqa: E402
from services.outbox.meeting_payloads import MeetingReminder as MeetingReminder  # noqa: E402
from services.outbox.meeting_payloads import MeetingSkipped as MeetingSkipped  # noqa: E402

PAYLOADS: dict[Notice, type[Payload]] = {
    cls.kind: cls
    for cls in (
        HeldAnswer,
        OfferNotice,
        TakenNotice,
        WithdrawnNotice,
        MatchedNotice,
        ReleasedNotice,
        DoneNotice,
        LotsenNotice,
        CoordinatorNotice,
        ClosedNotice,
        AssignedNotice,
        CancelledNotice,
        ApprovalNotice,
        ApprovalDoneNotice,
        ApprovedNotice,
        RejectedNotice,
        RoleEndedNotice,
        EscalationNotice,
        SendFailedNotice,
        MeetingReminder,
        MeetingSkipped,
        TaskReminder,
        RequestReminder,
        StayQuestion,
        BroadcastMessage,
        BroadcastProgress,
    )
}


def from_json(kind: str, data: Mapping[str, Any]) -> Payload:
    """The payload of a stored row; raises PayloadError (a ValueError) if it does not fit."""
    return PAYLOADS[Notice(kind)].from_dict(data)
