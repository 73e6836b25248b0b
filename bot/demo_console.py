"""`lotse demo --scene console`: the coordinators' console. Two people sign up as volunteers and
the coordinator finds them with /volunteers and approves them on their cards; two requests are
asked and taken; a broadcast goes to every volunteer, its progress message counting as the
messages go out; the coordinator reads /stats, and its charts are written to files whose paths
the transcript prints."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.demo import ARABIC, UKRAINIAN, ask_in_own_language
from bot.stage import Stage
from handlers.callbacks import (
    TOGGLE_DONE,
    MenuCb,
    ReportCb,
    ReportKind,
    SignupField,
    ToggleCb,
)
from handlers.console_callbacks import (
    BroadcastAction,
    BroadcastCb,
    CardAction,
    FilterPurpose,
    FilterView,
    VolunteerCardCb,
    VolunteerFilterCb,
)
from matching.stats import PeriodKind
from matching.status import Standing
from services.volunteer_queries import VolunteerFilter

COORDINATOR = 900_001
OKSANA, LEILA = 611, 612
OLENA, SAMIR = 511, 512
LIST, BROADCAST = FilterPurpose.LIST, FilterPurpose.BROADCAST
NEWS = "Am Samstag gibt es ein Sommerfest im Bürgerzentrum. Alle sind eingeladen!"
CHARTS = 3  # requests per week by outcome, by topic, by district


async def sign_up(s: Stage, user_id: int, name: str, language: str, speaks: str) -> None:
    """A new volunteer's own dialogue: furniture in Ehrenfeld, German and one more language."""
    s.person(user_id, name, language)
    await s.start(user_id)
    await s.tap(user_id, MenuCb(action="help"))
    for field, value in (
        (SignupField.SKILLS, "furniture"),
        (SignupField.SKILLS, TOGGLE_DONE),
        (SignupField.DISTRICTS, "ehrenfeld"),
        (SignupField.DISTRICTS, TOGGLE_DONE),
        (SignupField.LANGUAGES, "de"),
        (SignupField.LANGUAGES, speaks),
        (SignupField.LANGUAGES, TOGGLE_DONE),
    ):
        await s.tap(user_id, ToggleCb(field=field, value=value))


async def approvals(s: Stage) -> None:
    """/volunteers, Who: waiting for approval, the list, each card, Approve."""
    s.person(COORDINATOR, "Kim", "de")
    await s.start(COORDINATOR)
    await sign_up(s, OKSANA, "Oksana", "uk", "uk")
    await sign_up(s, LEILA, "Leila", "ar", "ar")
    waiting = VolunteerFilter(standing=Standing.PENDING)
    await s.say(COORDINATOR, "/volunteers")
    await s.tap(COORDINATOR, VolunteerFilterCb.of(LIST, FilterView.STANDING, VolunteerFilter()))
    await s.tap(COORDINATOR, VolunteerFilterCb.of(LIST, FilterView.SUMMARY, waiting))
    await s.tap(COORDINATOR, VolunteerFilterCb.of(LIST, FilterView.GO, waiting))
    for volunteer in (LEILA, OKSANA):
        await s.tap(COORDINATOR, VolunteerCardCb(action=CardAction.OPEN, volunteer_id=volunteer))
        await s.tap(COORDINATOR, VolunteerCardCb(action=CardAction.APPROVE, volunteer_id=volunteer))
        await s.expect(volunteer)


async def broadcast(s: Stage) -> None:
    """To every approved volunteer; the progress message counts until nothing is left."""
    everyone = VolunteerFilter()
    await s.say(COORDINATOR, "/broadcast")
    await s.tap(COORDINATOR, VolunteerFilterCb.of(BROADCAST, FilterView.GO, everyone))
    await s.say(COORDINATOR, NEWS)
    await s.tap(COORDINATOR, BroadcastCb(action=BroadcastAction.SEND))
    for volunteer in (OKSANA, LEILA):
        await s.expect(volunteer, NEWS)
    await s.expect(COORDINATOR, "Noch offen: 0")


async def two_requests(s: Stage) -> None:
    """Two seekers ask; the volunteer who speaks their language takes each."""
    await ask_in_own_language(s, OLENA, "Olena", "uk", UKRAINIAN)
    await s.tap(OKSANA, "o:accept:")
    await s.expect(OLENA, "Oksana")
    await ask_in_own_language(s, SAMIR, "Samir", "ar", ARABIC)
    await s.tap(LEILA, "o:accept:")
    await s.expect(SAMIR, "Leila")


async def statistics(s: Stage, charts: Path) -> list[Path]:
    """/stats for this week; each chart the coordinator gets is written to a file."""
    before = len(s.emu.photos_to(COORDINATOR))
    await s.say(COORDINATOR, "/stats")
    await s.tap(COORDINATOR, ReportCb(report=ReportKind.STATS, period=PeriodKind.THIS_WEEK))
    await s.wait(lambda: len(s.emu.photos_to(COORDINATOR)) >= before + CHARTS, "the charts")
    photos = [photo.content for photo in s.emu.photos_to(COORDINATOR)[before:]]
    written = write_charts(charts, photos)
    for path in written:
        s.note(f"📈 chart written to {path}")
    return written


def write_charts(folder: Path, photos: list[bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"stats-chart-{n}.png" for n in range(1, len(photos) + 1)]
    for path, content in zip(paths, photos, strict=True):
        path.write_bytes(content)
    return paths


def charts_dir() -> Path:
    """Outside the demo's own temporary folder, so the charts stay after it ends."""
    return Path(tempfile.gettempdir()) / "lotse-demo"


async def scene_console(s: Stage, charts: Path | None = None) -> None:
    await approvals(s)
    await two_requests(s)
    await broadcast(s)
    await statistics(s, charts or charts_dir())
