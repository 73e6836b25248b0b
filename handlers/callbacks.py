"""Callback data of every inline button. Prefixes are short: Telegram allows 64 bytes.

Anybody can send any callback data (a modified client forges button presses), so every number is
range-checked here and every action is one of a fixed few: anything else fails the filter, and the
fallback router answers that the button is no longer valid (instead of an overflow error in the
database driver, or an unknown action taken for a known one).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from matching.stats import PeriodKind

# Our own rows have INTEGER keys: 32 bits on PostgreSQL.
RowId = Annotated[int, Field(ge=0, lt=2**31)]
# Telegram user ids have at most 52 significant bits (Bot API, "User").
UserId = Annotated[int, Field(gt=0, lt=2**52)]


class MenuAction(StrEnum):
    SEEK = "seek"
    HELP = "help"
    LANG = "lang"


class FormField(StrEnum):
    """The seeker's form: one field per step that is answered with a button."""

    SKILL = "skill"
    DISTRICT = "district"
    WHEN = "when"
    DAY = "day"
    CONSENT = "consent"
    CONFIRM = "confirm"


class SignupField(StrEnum):
    SKILLS = "skills"
    DISTRICTS = "districts"
    LANGUAGES = "languages"


class NavAction(StrEnum):
    BACK = "back"
    CANCEL = "cancel"


class OfferAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


class TaskAction(StrEnum):
    DONE = "done"
    RELEASE = "release"
    RELEASE_SURE = "release_sure"
    KEEP = "keep"


class MyReqAction(StrEnum):
    CANCEL = "cancel"
    CANCEL_SURE = "cancel_sure"
    KEEP = "keep"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class ProfileAction(StrEnum):
    PAUSE = "pause"
    QUIET = "quiet"
    RESUME = "resume"


class EscAction(StrEnum):
    ASSIGN = "assign"
    EXTEND = "extend"
    CLOSE = "close"
    PICK = "pick"
    REASON = "reason"
    BACK = "back"


class LotseAction(StrEnum):
    SET = "set"
    UNSET = "unset"


class MenuCb(CallbackData, prefix="m"):
    action: MenuAction


class PickCb(CallbackData, prefix="p"):
    """A single choice in a form step."""

    field: FormField
    value: str


TOGGLE_DONE = ""  # a multi-select's value for its Done button


class ToggleCb(CallbackData, prefix="t"):
    """A multi-select; the value TOGGLE_DONE means done."""

    field: SignupField
    value: str


class NavCb(CallbackData, prefix="n"):
    action: NavAction


class OfferCb(CallbackData, prefix="o"):
    action: OfferAction
    offer_id: RowId


class TaskCb(CallbackData, prefix="k"):
    action: TaskAction
    request_id: RowId


class MyReqCb(CallbackData, prefix="r"):
    action: MyReqAction
    request_id: RowId


class ApproveCb(CallbackData, prefix="a"):
    action: Decision
    volunteer_id: UserId


class LangCb(CallbackData, prefix="l"):
    code: str


class PauseCb(CallbackData, prefix="z"):
    days: Annotated[int, Field(ge=0, le=366)]  # 0: until /resume


class QuietCb(CallbackData, prefix="q"):
    start: Annotated[int, Field(ge=-1, lt=24 * 60)]  # minutes after midnight; -1 clears
    end: Annotated[int, Field(ge=-1, lt=24 * 60)]


class ProfileCb(CallbackData, prefix="f"):
    action: ProfileAction


class EscCb(CallbackData, prefix="e"):
    """A coordinator's answer to an escalation notice."""

    action: EscAction
    request_id: RowId
    value: Annotated[int, Field(ge=0, lt=2**52)] = 0  # a volunteer's id, or a close reason's index


class LotseCb(CallbackData, prefix="cl"):
    """A coordinator marks a volunteer as Lotse on their card, or unmarks them."""

    action: LotseAction
    volunteer_id: UserId


class RsvpAnswerCb(StrEnum):
    YES = "yes"
    NO = "no"


class RsvpCb(CallbackData, prefix="mv"):
    """A volunteer's answer to a meeting reminder: will they come to this occurrence?"""

    answer: RsvpAnswerCb
    meeting_id: RowId
    at: Annotated[int, Field(ge=0, lt=2**31)]  # the occurrence's start, minutes since 1970 (UTC)


class MeetField(StrEnum):
    """The coordinators' meeting dialogue: one field per step answered with a button."""

    KIND = "kind"
    WEEKDAY = "wd"
    DATE = "date"
    TIME = "time"
    DURATION = "dur"
    PLACE = "place"  # the only value: skip
    AUDIENCE = "aud"
    VALUE = "val"  # a district or skill of the audience (a toggle; TOGGLE_DONE is done)
    OFFSET = "off"  # a reminder offset (a toggle; TOGGLE_DONE is done)
    CONFIRM = "ok"  # save, or go to a step to change it


class MeetFormCb(CallbackData, prefix="mf"):
    field: MeetField
    value: Annotated[str, Field(max_length=40)]


class MeetAdmin(StrEnum):
    EDIT = "edit"
    PAUSE = "pause"
    RESUME = "resume"
    SKIPS = "skips"  # show the next dates to skip
    SKIP = "skip"
    DELETE = "del"
    DELETE_SURE = "del_sure"
    BACK = "back"  # the meeting's own buttons again


class MeetAdminCb(CallbackData, prefix="ma"):
    """A coordinator's button on a meeting of /meetings."""

    action: MeetAdmin
    meeting_id: RowId
    at: Annotated[int, Field(ge=0, lt=2**31)] = 0  # an occurrence, minutes since 1970 (UTC)


class RsvpView(StrEnum):
    SHOW = "show"  # who answered (at 0: the next occurrence)
    MARK = "mark"  # the attendance buttons
    TOGGLE = "tog"  # one volunteer came, or did not


class RsvpViewCb(CallbackData, prefix="mr"):
    """/rsvp's buttons: a meeting's answers, and attendance marked after it."""

    action: RsvpView
    meeting_id: RowId
    at: Annotated[int, Field(ge=0, lt=2**31)] = 0
    volunteer_id: Annotated[int, Field(ge=0, lt=2**52)] = 0


class RemindersAction(StrEnum):
    OFF = "off"
    ON = "on"


class RemindersCb(CallbackData, prefix="mo"):
    """Meeting reminders off, or on again: of one meeting, or (meeting_id 0) of every meeting."""

    action: RemindersAction
    meeting_id: RowId


class ReportKind(StrEnum):
    STATS = "s"  # /stats: figures and charts
    EXPORT = "x"  # /export: a workbook and a CSV


class ReportCb(CallbackData, prefix="rp"):
    """A period button of /stats or /export; no period: the coordinator types the dates."""

    report: ReportKind
    period: PeriodKind | None = None


class AuditPageCb(CallbackData, prefix="au"):
    """/audit's paging: the rows from `offset` (0 is the newest)."""

    offset: Annotated[int, Field(ge=0, lt=2**31)] = 0


class ForgetCb(CallbackData, prefix="fg"):
    """/forget's answer: delete everything about me (yes), or keep it."""

    yes: bool


class EraseCb(CallbackData, prefix="er"):
    """/erase's answer: a coordinator confirms erasing one person, or does not."""

    user_id: UserId
    yes: bool


class StayCb(CallbackData, prefix="sy"):
    """A volunteer silent for a year answers: stay (yes), or leave and be deleted."""

    stay: bool
