"""The coordinators' meeting dialogue in words and buttons: each step's question, the summary
before saving, and the rules' refusals in plain words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import get_day_names

from handlers.callbacks import TOGGLE_DONE, MeetField, MeetFormCb
from handlers.keyboards import button, grid, markup, nav_row
from handlers.views.labels import district_label, skill_label
from handlers.views.time import clock_label, day_label, minutes_label
from matching.areas import Areas
from matching.meetings import Refusal
from matching.status import Audience, MeetingKind
from matching.text import isolate
from services.meetings import MeetingDraft

Question = tuple[str, InlineKeyboardMarkup]

TIMES = tuple(16 * 60 + 30 * n for n in range(9))  # 16:00 to 20:00, every half hour
DURATIONS = (30, 60, 90, 120)
OFFSETS = (7 * 24 * 60, 24 * 60, 3 * 60, 60)
SAVE = "save"


def _pick(field: MeetField, options: Iterable[tuple[str, str]], width: int = 2) -> list[list]:  # type: ignore[type-arg]
    buttons = [button(text, MeetFormCb(field=field, value=value)) for value, text in options]
    return grid(buttons, width)


def _keyboard(rows: list[list], *, back: bool = True) -> InlineKeyboardMarkup:  # type: ignore[type-arg]
    return markup([*rows, nav_row(back=back)])


def ask_title() -> Question:
    text = _("<b>New meeting</b>\nWhat is the meeting called? Please type the title.")
    return text, _keyboard([], back=False)


def ask_kind() -> Question:
    options = [(MeetingKind.WEEKLY.value, _("Every week")), (MeetingKind.ONCE.value, _("Once"))]
    return _("Is the meeting every week, or only once?"), _keyboard(_pick(MeetField.KIND, options))


def weekday_name(weekday: int, locale: str) -> str:
    return str(get_day_names("wide", locale=locale)[weekday])


def ask_weekday(locale: str) -> Question:
    options = [(str(n), weekday_name(n, locale)) for n in range(7)]
    return _("On which day of the week?"), _keyboard(_pick(MeetField.WEEKDAY, options, 3))


def ask_date(today: date, locale: str) -> Question:
    days = [today + timedelta(days=n) for n in range(14)]
    options = [(d.isoformat(), day_label(d, locale)) for d in days]
    text = _("On which day? Choose a day, or type the date like this: 31.12.2026")
    return text, _keyboard(_pick(MeetField.DATE, options))


def ask_time(locale: str) -> Question:
    options = [(f"{m // 60:02d}{m % 60:02d}", minutes_label(m, locale)) for m in TIMES]
    text = _("At what time does it start? Choose a time, or type it like this: 18:30")
    return text, _keyboard(_pick(MeetField.TIME, options, 3))


def duration_label(minutes: int) -> str:
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def ask_duration() -> Question:
    options = [(str(m), duration_label(m)) for m in DURATIONS]
    return _("How long is the meeting?"), _keyboard(_pick(MeetField.DURATION, options))


def ask_place() -> Question:
    text = _("Where is the meeting? Type the address or a video link. Or press Skip.")
    return text, _keyboard(_pick(MeetField.PLACE, [(SAVE, _("Skip"))]))


def audience_label(audience: Audience) -> str:
    return {
        Audience.ALL: _("All volunteers"),
        Audience.LOTSEN: _("Only Lotsen"),
        Audience.DISTRICTS: _("Volunteers in some districts"),
        Audience.SKILLS: _("Volunteers with some skills"),
    }[audience]


def ask_audience() -> Question:
    options = [(a.value, audience_label(a)) for a in Audience]
    return _("Who is the meeting for?"), _keyboard(_pick(MeetField.AUDIENCE, options, 1))


def value_options(audience: Audience, areas: Areas) -> list[tuple[str, str]]:
    if audience is Audience.DISTRICTS:
        return [(k, district_label(areas, k)) for k in areas.districts]
    return [(k, skill_label(areas, k)) for k in areas.skills]


def _toggles(
    field: MeetField, options: list[tuple[str, str]], chosen: Iterable[str]
) -> InlineKeyboardMarkup:
    marked = set(chosen)
    rows = _pick(field, [(v, ("✅ " if v in marked else "▫️ ") + t) for v, t in options])
    rows.append([button(_("Next"), MeetFormCb(field=field, value=TOGGLE_DONE))])
    return _keyboard(rows)


def ask_values(audience: Audience, areas: Areas, chosen: Iterable[str]) -> Question:
    text = (
        _("Which districts? Choose one or more, then press Next.")
        if audience is Audience.DISTRICTS
        else _("Which skills? Choose one or more, then press Next.")
    )
    return text, _toggles(MeetField.VALUE, value_options(audience, areas), chosen)


def offset_label(minutes: int) -> str:
    known = {
        OFFSETS[0]: _("1 week before"),
        OFFSETS[1]: _("1 day before"),
        OFFSETS[2]: _("3 hours before"),
        OFFSETS[3]: _("1 hour before"),
    }
    return known.get(minutes) or duration_label(minutes)


def ask_offsets(chosen: Iterable[int]) -> Question:
    text = _("When should we remind the volunteers? Choose one or more, then press Next.")
    options = [(str(m), offset_label(m)) for m in OFFSETS]
    return text, _toggles(MeetField.OFFSET, options, [str(m) for m in chosen])


def when_label(
    kind: MeetingKind, weekday: int | None, on: date | None, start: time, locale: str
) -> str:
    clock = isolate(minutes_label(start.hour * 60 + start.minute, locale))
    if kind is MeetingKind.WEEKLY and weekday is not None:
        return _("every {weekday} at {time}").format(
            weekday=weekday_name(weekday, locale), time=clock
        )
    day = isolate(day_label(on, locale)) if on is not None else "?"
    return _("{day} at {time}").format(day=day, time=clock)


def summary(draft: MeetingDraft, areas: Areas, locale: str) -> str:
    lines = [
        f"<b>{isolate(escape(draft.title))}</b>",
        when_label(draft.kind, draft.weekday, draft.on, draft.start, locale)
        + ", "
        + duration_label(draft.duration_minutes),
    ]
    if draft.place:
        lines.append(_("Where: {place}").format(place=isolate(escape(draft.place))))
    who = audience_label(draft.audience)
    if draft.audience_values:
        shown = dict(value_options(draft.audience, areas))
        who += ": " + ", ".join(escape(shown.get(v, v)) for v in draft.audience_values)
    lines.append(_("For: {audience}").format(audience=who))
    reminders = ", ".join(offset_label(m) for m in sorted(draft.offsets, reverse=True))
    lines.append(_("Reminders: {reminders}").format(reminders=reminders))
    return "\n".join(lines)


def ask_confirm(draft: MeetingDraft, areas: Areas, locale: str) -> Question:
    text = _("<b>Please check the meeting</b>") + "\n\n" + summary(draft, areas, locale)
    options = [
        (SAVE, "💾 " + _("Save")),
        ("day", _("Change the day")),
        ("time", _("Change the time")),
        ("place", _("Change the place")),
    ]
    return text, _keyboard(_pick(MeetField.CONFIRM, options, 1))


def refusal_text(refusal: Refusal) -> str:
    return {
        Refusal.DST_HOUR: _(
            "A meeting cannot start between 02:00 and 03:00. Twice a year the clocks change "
            "at this hour: then this time does not exist, or it comes twice. "
            "Please choose another time."
        ),
        Refusal.NO_DAY: _("Please choose a day."),
        Refusal.BAD_DURATION: _("Please choose how long the meeting is."),
        Refusal.BAD_OFFSET: _("Please choose when we remind the volunteers."),
        Refusal.UNKNOWN_ZONE: _(
            "The time zone of this bot is not known. Please tell the technical team."
        ),
    }[refusal]


def bad_title() -> str:
    return _("Please type a title of at most 200 characters.")


def bad_date() -> str:
    return _("Please type the date like this: 31.12.2026. It cannot be in the past.")


def bad_time() -> str:
    return _("Please type the time like this: 18:30")


def use_buttons() -> str:
    return _("Please use the buttons above.")


def cancelled() -> str:
    return _("Cancelled. The meeting was not saved.")


def saved(draft: MeetingDraft, next_label: str | None) -> str:
    text = _("✅ The meeting <b>{title}</b> is saved.").format(title=isolate(escape(draft.title)))
    if next_label:
        text += "\n" + _("Next time: {when}").format(when=next_label)
    return text + "\n" + _("/meetings shows all meetings.")


def occurrence_label(start: datetime, locale: str, tz: ZoneInfo) -> str:
    """One occurrence: its day and its time of day, in the reader's forms."""
    day = isolate(day_label(start.astimezone(tz).date(), locale))
    return f"{day}, {clock_label(start, locale, tz)}"
