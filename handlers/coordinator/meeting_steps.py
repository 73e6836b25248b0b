"""The meeting dialogue as data: the steps in order, what a finished step leads to, and the
draft its answers make. The conversation keeps plain values in the FSM data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from aiogram.fsm.state import State

from handlers.callbacks import MeetField
from handlers.states import MeetingForm
from handlers.views import meeting_console as views
from handlers.views.meeting_console import Question
from matching.areas import Areas
from matching.meetings import DEFAULT_OFFSETS, Refusal, occurrences
from matching.status import Audience, MeetingKind
from services.meetings import MeetingDraft

ORDER: tuple[State, ...] = (
    MeetingForm.title,
    MeetingForm.kind,
    MeetingForm.day,
    MeetingForm.time,
    MeetingForm.duration,
    MeetingForm.place,
    MeetingForm.audience,
    MeetingForm.values,
    MeetingForm.offsets,
    MeetingForm.confirm,
)
FIELD_STATE: dict[MeetField, State] = {
    MeetField.KIND: MeetingForm.kind,
    MeetField.WEEKDAY: MeetingForm.day,
    MeetField.DATE: MeetingForm.day,
    MeetField.TIME: MeetingForm.time,
    MeetField.DURATION: MeetingForm.duration,
    MeetField.PLACE: MeetingForm.place,
    MeetField.AUDIENCE: MeetingForm.audience,
    MeetField.VALUE: MeetingForm.values,
    MeetField.OFFSET: MeetingForm.offsets,
    MeetField.CONFIRM: MeetingForm.confirm,
}
REFUSAL_STEP: dict[Refusal, State] = {
    Refusal.DST_HOUR: MeetingForm.time,
    Refusal.NO_DAY: MeetingForm.day,
    Refusal.BAD_DURATION: MeetingForm.duration,
    Refusal.BAD_OFFSET: MeetingForm.offsets,
    Refusal.UNKNOWN_ZONE: MeetingForm.confirm,
}
CHANGE = {"day": MeetingForm.day, "time": MeetingForm.time, "place": MeetingForm.place}


@dataclass(frozen=True)
class Asking:
    areas: Areas
    locale: str
    today: date
    tz: str


def state_named(raw: str | None) -> State | None:
    return next((s for s in ORDER if s.state == raw), None)


def _narrowed(data: dict[str, Any]) -> bool:
    return data.get("audience") in (Audience.DISTRICTS.value, Audience.SKILLS.value)


def next_after(step: State, data: dict[str, Any]) -> State:
    """The step after `step`; a change made from the summary goes back to it."""
    if step == MeetingForm.kind:
        return MeetingForm.day
    if step == MeetingForm.audience and _narrowed(data):
        return MeetingForm.values
    if data.get("review"):
        return MeetingForm.confirm
    later = ORDER[ORDER.index(step) + 1]
    return MeetingForm.offsets if later == MeetingForm.values and not _narrowed(data) else later


def previous(step: State, data: dict[str, Any]) -> State | None:
    if data.get("review") and step != MeetingForm.confirm:
        return MeetingForm.confirm
    index = ORDER.index(step)
    if index == 0:
        return None
    earlier = ORDER[index - 1]
    return (
        MeetingForm.audience if earlier == MeetingForm.values and not _narrowed(data) else earlier
    )


def as_time(text: str) -> time | None:
    hour, sep, minute = text.strip().replace(".", ":").partition(":")
    if not (sep and hour.isdecimal() and minute.isdecimal() and len(minute) == 2):
        return None
    if int(hour) > 23 or int(minute) > 59:
        return None
    return time(int(hour), int(minute))


def as_date(text: str, today: date) -> date | None:
    try:
        day = datetime.strptime(text.strip(), "%d.%m.%Y").date()
    except ValueError:
        return None
    return day if today <= day <= today + timedelta(days=3 * 366) else None


def draft_of(data: dict[str, Any], tz: str) -> MeetingDraft:
    kind = MeetingKind(data.get("kind", MeetingKind.WEEKLY.value))
    on = data.get("on")
    return MeetingDraft(
        title=data.get("title", ""),
        kind=kind,
        start=time.fromisoformat(data.get("start", "18:00")),
        tz=tz,
        weekday=data.get("weekday"),
        on=date.fromisoformat(on) if on else None,
        duration_minutes=int(data.get("duration", 60)),
        place=data.get("place"),
        audience=Audience(data.get("audience", Audience.ALL.value)),
        audience_values=tuple(data.get("values", ())) if _narrowed(data) else (),
        offsets=tuple(data.get("offsets", DEFAULT_OFFSETS)),
    )


def data_of(draft: MeetingDraft) -> dict[str, Any]:
    """The FSM data of a stored meeting, for an edit that starts at the summary."""
    return {
        "title": draft.title,
        "kind": draft.kind.value,
        "weekday": draft.weekday,
        "on": draft.on.isoformat() if draft.on else None,
        "start": draft.start.strftime("%H:%M"),
        "duration": draft.duration_minutes,
        "place": draft.place,
        "audience": draft.audience.value,
        "values": list(draft.audience_values),
        "offsets": list(draft.offsets),
        "review": True,
    }


def next_start(draft: MeetingDraft, now: datetime) -> datetime | None:
    found = occurrences(draft.as_rule(), now, now + timedelta(days=3 * 366))
    return found[0] if found else None


def question(step: State, data: dict[str, Any], a: Asking) -> Question:
    draft = draft_of(data, a.tz)
    if step == MeetingForm.day:
        if draft.kind is MeetingKind.WEEKLY:
            return views.ask_weekday(a.locale)
        return views.ask_date(a.today, a.locale)
    asks: dict[str | None, Callable[[], Question]] = {
        MeetingForm.title.state: views.ask_title,
        MeetingForm.kind.state: views.ask_kind,
        MeetingForm.time.state: lambda: views.ask_time(a.locale),
        MeetingForm.duration.state: views.ask_duration,
        MeetingForm.place.state: views.ask_place,
        MeetingForm.audience.state: views.ask_audience,
        MeetingForm.values.state: lambda: views.ask_values(
            draft.audience, a.areas, data.get("values", [])
        ),
        MeetingForm.offsets.state: lambda: views.ask_offsets(draft.offsets),
        MeetingForm.confirm.state: lambda: views.ask_confirm(draft, a.areas, a.locale),
    }
    return asks[step.state]()
