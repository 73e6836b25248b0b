"""The coordinators' console over HTTP against the emulator (`lotse demo --scene console`):
approvals from /volunteers, two requests taken, a broadcast, and /stats with its charts."""

from __future__ import annotations

from pathlib import Path

from apscheduler.util import iscoroutinefunction_partial
from PIL import Image
from sqlalchemy import select

from bot.demo_console import COORDINATOR, LEILA, NEWS, OKSANA, scene_console
from bot.stage import stage
from db.models import Volunteer
from matching.status import VolunteerStatus


async def test_the_coordinator_approves_and_reads_stats_with_charts_when_the_scene_plays(
    tmp_path: Path,
) -> None:
    charts = tmp_path / "charts"
    async with stage(workdir=tmp_path) as s:
        await scene_console(s, charts)
        async with s.app.sessions() as session:
            rows = await session.execute(select(Volunteer.user_id, Volunteer.status))
            statuses = {user_id: status for user_id, status in rows}
        figures = next(
            m.text for m in s.emu.messages_to(COORDINATOR) if m.text and "Anfragen: 2" in m.text
        )
        jobs = s.app.scheduler.get_jobs()
        news = {
            v: [m for m in s.emu.messages_to(v) if NEWS in (m.text or "")] for v in (OKSANA, LEILA)
        }
        final = [
            m.text
            for m in s.emu.messages_to(COORDINATOR)
            if "Rundbrief ist fertig" in (m.text or "")
        ]
    assert statuses == {OKSANA: VolunteerStatus.APPROVED, LEILA: VolunteerStatus.APPROVED}
    assert {v: len(found) for v, found in news.items()} == {OKSANA: 1, LEILA: 1}
    assert "Повідомлення від організації" in (news[OKSANA][0].text or "")  # in Ukrainian
    assert final and "Gesendet: 2" in (final[0] or "") and "Noch offen: 0" in (final[0] or "")
    assert "Übernommen (vergeben oder erledigt): 100%" in figures
    written = sorted(charts.iterdir())
    assert [p.name for p in written] == [f"stats-chart-{n}.png" for n in (1, 2, 3)]
    for path in written:
        with Image.open(path) as image:
            assert image.format == "PNG" and min(image.size) >= 600
    # A job APScheduler 3 cannot see is a coroutine runs in a thread and is never awaited.
    assert jobs and all(iscoroutinefunction_partial(job.func) for job in jobs)
