"""The real bot, polling the emulator over HTTP, through whole journeys."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.demo import (
    ANNA,
    BEN,
    CEM,
    COORDINATOR,
    OKSANA,
    OLENA,
    SAMIR,
    SEEKER,
    SETTINGS,
    ask_for_furniture_help,
    scene_basic,
    scene_escalation,
    scene_multilingual,
    three_helpers,
)
from bot.stage import Stage, stage
from db.models import OutboxMessage, OutboxStatus, User
from handlers.callbacks import PickCb


def offers_to(s: Stage, user_id: int) -> list[str]:
    return [
        m.text or ""
        for m in s.emu.messages_to(user_id)
        if any(str(b.get("callback_data", "")).startswith("o:") for b in m.inline_buttons)
        or "Anfrage" in (m.text or "")
    ]


async def test_one_accepts_one_declines_and_the_third_offer_is_withdrawn(tmp_path: Path) -> None:
    async with stage(workdir=tmp_path) as s:
        await scene_basic(s)
        cem = s.emu.messages_to(CEM)[-1]
        assert "übernommen" in (cem.text or "") and not cem.inline_buttons
        matched = await s.expect(SEEKER, "Ben")
        assert "tg://user?id=602" in (matched.html or "")


async def test_each_seeker_is_answered_in_their_language_and_a_speaker_is_asked_first(
    tmp_path: Path,
) -> None:
    """`lotse demo --scene multilingual`: Ukrainian without і/ї/є and Arabic; one offer a round,
    so the volunteer asked is the one who speaks the seeker's language."""
    async with stage(workdir=tmp_path, **SETTINGS["multilingual"]) as s:
        await scene_multilingual(s)
        assert not any(m.inline_buttons for m in s.emu.messages_to(ANNA))  # never asked
        for seeker in (OLENA, SAMIR):
            texts = [m.text or "" for m in s.emu.messages_to(seeker)]
            assert not any("Anfrage" in t or "Danke" in t for t in texts), texts
        assert all((m.text or "").startswith("\u200f") for m in s.emu.messages_to(SAMIR))
        assert "Ukrainisch" in (s.emu.messages_to(OKSANA)[-1].text or "")


async def test_a_lotse_in_another_district_accepts_when_nobody_answers_tier_0(
    tmp_path: Path,
) -> None:
    async with stage(workdir=tmp_path, rate_limits=False) as s:
        await scene_escalation(s)
        seeker = [m.text or "" for m in s.emu.messages_to(SEEKER)]
        assert sum("erfahrene Ehrenamtliche" in t for t in seeker) == 1
        assert any("Dana" in t for t in seeker)
        for volunteer in (ANNA, BEN, CEM):
            last = s.emu.messages_to(volunteer)[-1]
            assert "übernommen" in (last.text or "") and not last.inline_buttons


async def test_the_coordinator_assigns_a_volunteer_when_nobody_answers_at_all(
    tmp_path: Path,
) -> None:
    async with stage(workdir=tmp_path, rate_limits=False) as s:
        s.person(COORDINATOR, "Koordination")
        await three_helpers(s)
        await ask_for_furniture_help(s)
        await s.tap_ready(ANNA, "o:accept:")
        for _step in range(4):
            s.clock.advance(timedelta(minutes=s.app.rules.policy.round_interval_minutes))
            await s.app.run_due_steps()
        notice = await s.expect(COORDINATOR, "Koordinationsteam")
        assert "Ehrenfeld" in (notice.text or "")
        await s.tap(COORDINATOR, "e:assign:")
        await s.tap(COORDINATOR, "e:pick:")
        assigned = await s.emu.wait_for(
            lambda: next(
                (
                    v
                    for v in (ANNA, BEN, CEM)
                    if "Koordinationsteam" in (s.emu.messages_to(v)[-1].text or "")
                ),
                None,
            ),
            10,
            description="a volunteer to get the assignment",
        )
        assert assigned in (ANNA, BEN, CEM)
        told = await s.expect(SEEKER, "Gute Nachricht")
        assert f"tg://user?id={assigned}" in (told.html or "")


async def test_a_blocked_volunteer_is_marked_unreachable_and_gets_no_further_offers(
    tmp_path: Path,
) -> None:
    async with stage(workdir=tmp_path, rate_limits=False) as s:
        await three_helpers(s)
        await s.emu.block(CEM)
        await ask_for_furniture_help(s)
        await s.tap_ready(ANNA, "o:accept:")

        async def cem_unreachable() -> bool:
            async with s.app.sessions() as session:
                user = await session.get(User, CEM)
                return user is not None and not user.reachable

        for _ in range(50):
            await s.app.sender.drain()
            if await cem_unreachable():
                break
        assert await cem_unreachable()
        before = s.emu.stats.http_403
        await s.say(SEEKER, "/start")
        await s.tap(SEEKER, "m:seek")
        for field, value in (("skill", "furniture"), ("district", "ehrenfeld"), ("when", "week")):
            await s.tap(SEEKER, PickCb(field=field, value=value))
        await s.say(SEEKER, "Noch eine Bitte: wir brauchen Hilfe beim Tragen von Kisten.")
        await s.tap(SEEKER, PickCb(field="consent", value="yes"))
        await s.tap(SEEKER, PickCb(field="confirm", value="send"))
        await s.app.sender.drain()
        async with s.app.sessions() as session:
            rows = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == CEM))
            ).all()
        # The block itself (my_chat_member) marks Cem unreachable; no offer is even written.
        assert all(r.status is OutboxStatus.UNREACHABLE for r in rows if r.kind == "offer")
        assert not any(m.inline_buttons for m in s.emu.messages_to(CEM))
        assert s.emu.stats.http_403 == before
