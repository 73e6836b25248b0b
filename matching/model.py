"""Plain value types shared by the matching rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class Ineligible(enum.StrEnum):
    """Why a volunteer may not be offered a request (the first failing hard filter)."""

    OWN_REQUEST = "own_request"  # nobody is offered what they asked for themselves
    NOT_APPROVED = "not_approved"
    UNREACHABLE = "unreachable"
    PAUSED = "paused"
    SKILL = "skill"
    NOT_LOTSE = "not_lotse"  # the Lotsen pool: any district, Lotsen only
    DISTRICT = "district"
    ALREADY_ASKED = "already_asked"
    QUIET_HOURS = "quiet_hours"
    DAILY_CAP = "daily_cap"


@dataclass(frozen=True, slots=True)
class RequestSpec:
    id: int
    skill: str
    district: str
    language: str
    seeker_id: int | None = None


@dataclass(frozen=True, slots=True)
class VolunteerState:
    """Everything the hard filters and the ranking need to know about one volunteer."""

    user_id: int
    approved: bool
    reachable: bool
    skills: frozenset[str]
    districts: frozenset[str]
    languages: frozenset[str]
    paused: bool = False
    paused_until: date | None = None
    quiet_start: int | None = None
    quiet_end: int | None = None
    daily_cap: int | None = None
    offers_today: int = 0
    offers_last_7d: int = 0
    open_assignments: int = 0
    last_offer_at: datetime | None = None
    already_asked: bool = False
    is_lotse: bool = False


@dataclass(frozen=True, slots=True)
class LocalNow:
    """The clock as the rules see it: the local date and minute of day for quiet hours."""

    utc: datetime
    local_date: date
    minute_of_day: int
