"""The domain's states and kinds: plain enums that every layer may use."""

from __future__ import annotations

import enum


class VolunteerStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    BANNED = "banned"


class Standing(enum.StrEnum):
    """Which volunteers a coordinator's list or broadcast is about (one choice at a time)."""

    APPROVED = "a"  # approved and not banned: the usual audience
    LOTSE = "l"  # approved Lotsen
    PAUSED = "p"  # approved, on a pause
    PENDING = "w"  # waiting for approval
    UNREACHABLE = "u"  # approved, but Telegram refuses messages to them (they blocked the bot)
    INACTIVE = "i"  # approved 90 days ago or more, and no answer or meeting since
    BANNED = "b"


INACTIVE_DAYS = 90


class Consent(enum.StrEnum):
    """A person's answer to the privacy notice."""

    AGREED = "agreed"
    DECLINED = "declined"


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    DONE = "done"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class WhenKind(enum.StrEnum):
    TODAY = "today"
    WEEK = "week"
    DATE = "date"
    FLEXIBLE = "flexible"


class OfferStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    RELEASED = "released"


class Priority(enum.IntEnum):
    """Who goes first when Telegram's budget is short: lower sends first."""

    INTERACTIVE = 0  # the answer to what a person just did
    FIRST_OFFER = 1  # the first offers of a new request
    NOTICE = 2  # other offers and notices
    BULK = 3  # reminders and broadcasts


class MeetingKind(enum.StrEnum):
    WEEKLY = "weekly"
    ONCE = "once"


class Audience(enum.StrEnum):
    """Who a meeting is for: every approved volunteer, or a part of them."""

    ALL = "all"
    LOTSEN = "lotsen"
    DISTRICTS = "districts"
    SKILLS = "skills"


class RsvpAnswer(enum.StrEnum):
    YES = "yes"
    NO = "no"


class BroadcastStatus(enum.StrEnum):
    RUNNING = "running"
    CANCELLED = "cancelled"
    DONE = "done"


class AuditAction(enum.StrEnum):
    """What a coordinator did, one row of the audit log each."""

    VOLUNTEER_APPROVED = "volunteer_approved"
    VOLUNTEER_REJECTED = "volunteer_rejected"
    LOTSE_SET = "lotse_set"
    LOTSE_UNSET = "lotse_unset"
    REQUEST_ASSIGNED = "request_assigned"
    REQUEST_EXTENDED = "request_extended"
    REQUEST_CLOSED = "request_closed"
    ESCALATED_NOW = "escalated_now"
    COORDINATOR_ADDED = "coordinator_added"
    COORDINATOR_REMOVED = "coordinator_removed"
    MEETING_CREATED = "meeting_created"
    MEETING_EDITED = "meeting_edited"
    MEETING_PAUSED = "meeting_paused"
    MEETING_RESUMED = "meeting_resumed"
    MEETING_SKIPPED = "meeting_skipped"
    MEETING_DELETED = "meeting_deleted"
    ATTENDANCE_MARKED = "attendance_marked"
    PERSON_ERASED = "person_erased"
    RETENTION_RUN = "retention_run"  # by nobody (actor 0): the daily job
    VOLUNTEER_BANNED = "volunteer_banned"
    VOLUNTEER_UNBANNED = "volunteer_unbanned"
    BROADCAST_SENT = "broadcast_sent"
    BROADCAST_CANCELLED = "broadcast_cancelled"
