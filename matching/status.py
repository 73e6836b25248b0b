"""The domain's states and kinds: plain enums that every layer may use."""

from __future__ import annotations

import enum


class VolunteerStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    BANNED = "banned"


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
