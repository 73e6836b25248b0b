"""The payloads of the meetings (services/meeting_reminders.py): a reminder, with what its
calendar invitation needs, and the notice that a date is skipped. Part of the registry in
services/outbox/payloads.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from services.outbox.codec import record
from services.outbox.payloads import Notice, Payload


@record
class MeetingReminder(Payload):
    kind: ClassVar[Notice] = Notice.MEETING_REMINDER
    meeting_id: int
    occurrence: datetime  # the start, UTC
    title: str
    place: str | None
    duration_minutes: int
    offset_minutes: int
    # For the calendar invitation the first reminder of an occurrence carries (an .ics file):
    weekly: bool
    tz: str  # the meeting's zone, whose wall time it keeps
    skipped: tuple[date, ...]  # local dates a weekly meeting does not take place
    invitation: bool  # the first reminder of the occurrence (the largest offset)


@record
class MeetingSkipped(Payload):
    kind: ClassVar[Notice] = Notice.MEETING_SKIPPED
    meeting_id: int
    occurrence: datetime
    title: str
