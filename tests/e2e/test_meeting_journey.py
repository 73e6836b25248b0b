"""A weekly meeting from the coordinator's dialogue to /rsvp, over HTTP against the emulator
(`lotse demo --scene meeting`)."""

from __future__ import annotations

from pathlib import Path

from bot.demo_meeting import COORDINATOR, GRETA, IRYNA, RAMI, TITLE, scene_meeting
from bot.stage import stage


async def test_reminders_arrive_in_each_language_and_rsvp_counts_the_answers_when_two_answer(
    tmp_path: Path,
) -> None:
    async with stage(workdir=tmp_path) as s:
        await scene_meeting(s)
        reminders = {
            # The first reminder is the .ics invitation: its text is the document's caption.
            user_id: next(
                shown
                for m in s.emu.messages_to(user_id)
                if TITLE in (shown := m.text or m.caption or "")
            )
            for user_id in (GRETA, RAMI, IRYNA)
        }
        assert "Erinnerung" in reminders[GRETA]
        assert "تذكير" in reminders[RAMI]
        assert "Нагадування" in reminders[IRYNA]
        rsvp = s.emu.messages_to(COORDINATOR)[-1].text or ""
        assert "Ja (1): Greta" in rsvp.replace("\u2068", "").replace("\u2069", "")
        assert "Nein (1): Rami" in rsvp.replace("\u2068", "").replace("\u2069", "")
        assert "Keine Antwort (1): Iryna" in rsvp.replace("\u2068", "").replace("\u2069", "")
