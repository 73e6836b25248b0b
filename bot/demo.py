"""`lotse demo`: the real bot against the local emulator, playing a scene, with no token and no
network. Every chat is printed as it happens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.demo_meeting import scene_meeting
from bot.stage import People, Stage, stage
from handlers.callbacks import MenuCb, PickCb

SEEKER, ANNA, BEN, CEM, LOTSE = 501, 601, 602, 603, 701
COORDINATOR = 900_001
DESCRIPTION = (
    "Ich bin mit meinen zwei Kindern neu in Köln. Wir haben einen Schrank und zwei Betten "
    "bekommen und ich kann sie nicht allein aufbauen."
)


async def ask_for_furniture_help(s: People, *, when: str = "week") -> None:
    """A seeker asks in German for help assembling furniture in Ehrenfeld."""
    s.person(SEEKER, "Amal", "de")
    await s.start(SEEKER)
    await s.tap(SEEKER, MenuCb(action="seek"))
    await s.tap(SEEKER, PickCb(field="skill", value="furniture"))
    await s.tap(SEEKER, PickCb(field="district", value="ehrenfeld"))
    await s.tap(SEEKER, PickCb(field="when", value=when))
    await s.say(SEEKER, DESCRIPTION)
    await s.tap(SEEKER, PickCb(field="consent", value="yes"))
    await s.tap(SEEKER, PickCb(field="confirm", value="send"))


async def three_helpers(s: Stage) -> None:
    for user_id, name in ((ANNA, "Anna"), (BEN, "Ben"), (CEM, "Cem")):
        await s.volunteer(
            user_id,
            name,
            skills={"furniture"},
            districts={"ehrenfeld"},
            languages={"de", "ar"},
        )


async def scene_basic(s: Stage) -> None:
    """Three volunteers get the offer; one declines, one accepts, the third's is withdrawn."""
    await three_helpers(s)
    await ask_for_furniture_help(s)
    for volunteer in (ANNA, BEN, CEM):
        await s.tap_ready(volunteer, "o:accept:")
    await s.tap(ANNA, "o:decline:")
    await s.tap(BEN, "o:accept:")
    await s.wait(lambda: not s.has_button(CEM, "o:accept:"), "Cem's offer to be withdrawn")
    await s.expect(SEEKER, "Ben")


async def scene_escalation(s: Stage) -> None:
    """Nobody in Ehrenfeld answers; a Lotse from Porz accepts when the Lotsen are asked."""
    await s.volunteer(
        LOTSE, "Dana", skills={"furniture"}, districts={"porz"}, languages={"de"}, lotse=True
    )
    await three_helpers(s)
    await ask_for_furniture_help(s)
    for volunteer in (ANNA, BEN, CEM):
        await s.tap_ready(volunteer, "o:accept:")
    policy = s.app.rules.policy
    for _round in range(policy.tier0_rounds):
        s.note(f"⏩ {policy.round_interval_minutes:g} minutes later")
        s.clock.advance(timedelta(minutes=policy.round_interval_minutes))
        await s.app.run_due_steps()
    await s.tap(LOTSE, "o:accept:")
    await s.wait(
        lambda: not any(s.has_button(v, "o:accept:") for v in (ANNA, BEN, CEM)),
        "the tier-0 offers to be withdrawn",
    )
    await s.expect(SEEKER, "Dana")


OLENA, OKSANA, SAMIR, LEILA = 511, 611, 512, 612
UKRAINIAN = "Нам треба допомога з шафою, будь ласка."  # no і/ї/є: it could pass for Russian
ARABIC = "أحتاج إلى مساعدة في تركيب خزانة وسريرين، من فضلك."


async def ask_in_own_language(s: People, seeker: int, name: str, language: str, text: str) -> None:
    """A seeker whose phone speaks `language` asks for help with furniture in Ehrenfeld."""
    s.person(seeker, name, language)
    await s.start(seeker)
    await s.tap(seeker, MenuCb(action="seek"))
    await s.tap(seeker, PickCb(field="skill", value="furniture"))
    await s.tap(seeker, PickCb(field="district", value="ehrenfeld"))
    await s.tap(seeker, PickCb(field="when", value="week"))
    await s.say(seeker, text)
    await s.tap(seeker, PickCb(field="consent", value="yes"))
    await s.tap(seeker, PickCb(field="confirm", value="send"))


async def scene_multilingual(s: Stage) -> None:
    """A seeker writes in Ukrainian, another in Arabic. Of the volunteers in Ehrenfeld, the one
    who speaks the seeker's language is asked first; every volunteer reads the offer in their
    own language, and each seeker is answered in theirs."""
    for user_id, name, languages in (
        (ANNA, "Anna", {"de"}),
        (OKSANA, "Oksana", {"de", "uk"}),
        (LEILA, "Leila", {"de", "ar"}),
    ):
        await s.volunteer(
            user_id, name, skills={"furniture"}, districts={"ehrenfeld"}, languages=languages
        )
    await ask_in_own_language(s, OLENA, "Olena", "uk", UKRAINIAN)
    await s.tap_ready(OKSANA, "o:accept:")
    await s.expect(OKSANA, "Ukrainisch")
    await s.tap(OKSANA, "o:accept:")
    await s.expect(OLENA, "Oksana")
    await ask_in_own_language(s, SAMIR, "Samir", "ar", ARABIC)
    await s.tap_ready(LEILA, "o:accept:")
    await s.expect(LEILA, "Arabisch")
    await s.tap(LEILA, "o:accept:")
    await s.expect(SAMIR, "Leila")


async def _console(s: Stage) -> None:
    from bot.demo_console import scene_console  # it builds on this module's seekers

    await scene_console(s)


SCENES: dict[str, Callable[[Stage], Awaitable[None]]] = {
    "basic": scene_basic,
    "escalation": scene_escalation,
    "multilingual": scene_multilingual,
    "meeting": scene_meeting,
    "console": _console,
}
# A scene's own settings: one offer a round, so that who is asked first is who is asked.
SETTINGS: dict[str, dict[str, Any]] = {"multilingual": {"offers_per_round": 1}}


async def play(scene: str, out: Callable[[str], None] = print) -> None:
    # Everybody meets the privacy notice first, as with a real deployment.
    async with stage(out=out, privacy_notice=True, **SETTINGS.get(scene, {})) as s:
        out(f"── Lotse demo, scene {scene!r}: the real bot against a local Telegram emulator ──")
        await SCENES[scene](s)
        await s.app.sender.drain()
        out("── the end ──")
