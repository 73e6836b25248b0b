"""`lotse demo`: the real bot against the local emulator, playing a scene, with no token and no
network. Every chat is printed as it happens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

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
    await s.say(SEEKER, "/start")
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


SCENES: dict[str, Callable[[Stage], Awaitable[None]]] = {
    "basic": scene_basic,
    "escalation": scene_escalation,
}


async def play(scene: str, out: Callable[[str], None] = print) -> None:
    async with stage(out=out) as s:
        out(f"── Lotse demo, scene {scene!r}: the real bot against a local Telegram emulator ──")
        await SCENES[scene](s)
        await s.app.sender.drain()
        out("── the end ──")
