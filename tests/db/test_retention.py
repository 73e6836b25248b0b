"""Retention, one rule at a time, with a fixed clock: what is older than its limit goes, what is
younger stays, and the run's counts reach the audit log."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import HelpRequest, OutboxStatus, ProcessedUpdate, User, Volunteer
from db.role_models import AuditEntry
from matching.status import AuditAction, RequestStatus
from services.clock import FrozenClock
from services.outbox import RequestNews, enqueue
from services.outbox.payloads import DoneNotice
from services.privacy.report import parse_counts, privacy_report
from services.privacy.retention import run_retention, stay
from services.rules import Rules
from tests.factories import add_offer, add_request, add_user, add_volunteer, count, outbox

DAY = timedelta(days=1)
SEEKER, VOLUNTEER = 700_001, 800_001


async def _run(
    sessions: async_sessionmaker[AsyncSession], rules: Rules, clock: FrozenClock
) -> dict[str, int]:
    async with sessions() as s, s.begin():
        return await run_retention(s, rules=rules, now=clock.now())


async def test_closed_request_loses_text_and_seeker_when_older_than_the_setting(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    now = clock.now()
    async with sessions() as s, s.begin():
        await add_user(s, SEEKER, now=now - 200 * DAY)
        for age, status in (
            (91, RequestStatus.DONE),
            (89, RequestStatus.DONE),
            (91, RequestStatus.OPEN),
        ):
            request = await add_request(s, seeker_id=SEEKER, now=now - age * DAY, status=status)
            request.description = f"my story {age} {status}"
    counts = await _run(sessions, rules, clock)
    assert counts["requests"] == 1
    async with sessions() as s:
        rows = list(await s.scalars(select(HelpRequest).order_by(HelpRequest.id)))
        assert [(r.seeker_id == SEEKER, r.description != "") for r in rows] == [
            (False, False),
            (True, True),
            (True, True),
        ]
        assert rows[0].seeker_id < 0 and rows[0].status is RequestStatus.DONE
    assert (await _run(sessions, rules, clock))["requests"] == 0  # a second run finds nothing


async def test_sent_message_loses_payload_after_7_days_and_goes_after_30(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    now = clock.now()
    async with sessions() as s, s.begin():
        for age in (31, 8, 6):
            row = await enqueue(
                s,
                chat_id=SEEKER,
                payload=DoneNotice(ref="R", request_id=1),
                dedupe_key=f"d{age}",
                now=now - age * DAY,
            )
            row.status, row.sent_at = OutboxStatus.SENT, now - age * DAY
        await enqueue(
            s,
            chat_id=SEEKER,
            payload=DoneNotice(ref="P", request_id=2),
            dedupe_key="p",
            now=now - 40 * DAY,
        )
    counts = await _run(sessions, rules, clock)
    assert (counts["messages"], counts["payloads"]) == (1, 1)
    async with sessions() as s:
        left = {m.dedupe_key: m.payload for m in await outbox(s)}
    assert left == {
        "d8": {},
        "d6": {"ref": "R", "request_id": 1},
        "p": {"ref": "P", "request_id": 2},
    }
    assert isinstance(DoneNotice(ref="R", request_id=1), RequestNews)


async def test_processed_update_ids_go_after_7_days(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    now = clock.now()
    async with sessions() as s, s.begin():
        s.add_all(
            [
                ProcessedUpdate(update_id=1, at=now - 8 * DAY),
                ProcessedUpdate(update_id=2, at=now - 6 * DAY),
            ]
        )
    assert (await _run(sessions, rules, clock))["updates"] == 1
    async with sessions() as s:
        assert list(await s.scalars(select(ProcessedUpdate.update_id))) == [2]


async def test_silent_volunteer_is_asked_then_erased_a_month_later_when_they_stay_silent(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    now = clock.now()
    async with sessions() as s, s.begin():
        await add_volunteer(s, VOLUNTEER, now=now - 400 * DAY)
        await add_volunteer(s, VOLUNTEER + 1, now=now - 400 * DAY)  # answered an offer lately
        await add_user(s, SEEKER, now=now - 400 * DAY)
        request = await add_request(
            s, seeker_id=SEEKER, now=now - 20 * DAY, status=RequestStatus.CLOSED
        )
        offer = await add_offer(
            s, request_id=request.id, volunteer_id=VOLUNTEER + 1, created_at=now - 20 * DAY
        )
        offer.answered_at = now - 19 * DAY
    assert (await _run(sessions, rules, clock))["asked"] == 1
    async with sessions() as s:
        assert [m.kind for m in await outbox(s, chat_id=VOLUNTEER)] == ["stay_question"]
    clock.advance(29 * DAY)
    assert (await _run(sessions, rules, clock))["removed"] == 0
    clock.advance(2 * DAY)
    assert (await _run(sessions, rules, clock))["removed"] == 1
    async with sessions() as s:
        assert await count(s, User, User.id == VOLUNTEER) == 0
        assert await count(s, Volunteer, Volunteer.user_id == VOLUNTEER + 1) == 1


async def test_volunteer_who_answers_stay_is_kept_when_the_month_is_over(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    now = clock.now()
    async with sessions() as s, s.begin():
        await add_volunteer(s, VOLUNTEER, now=now - 400 * DAY)
    assert (await _run(sessions, rules, clock))["asked"] == 1
    clock.advance(3 * DAY)
    async with sessions() as s, s.begin():
        assert await stay(s, user_id=VOLUNTEER, now=clock.now())
    clock.advance(40 * DAY)
    counts = await _run(sessions, rules, clock)
    assert (counts["asked"], counts["removed"]) == (0, 0)


async def test_unreachable_volunteer_is_asked_when_telegram_refused_them_a_year_ago(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    now = clock.now()
    async with sessions() as s, s.begin():
        await add_volunteer(s, VOLUNTEER, now=now - 30 * DAY, reachable=False)
        user = await s.get(User, VOLUNTEER)
        assert user is not None
        user.unreachable_at = now - 366 * DAY
    assert (await _run(sessions, rules, clock))["asked"] == 1


async def test_run_is_in_the_audit_log_and_the_privacy_report_when_it_ran(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, rules: Rules
) -> None:
    async with sessions() as s, s.begin():
        await add_user(s, SEEKER, now=clock.now())
        await add_request(s, seeker_id=SEEKER, now=clock.now() - 40 * DAY)
    counts = await _run(sessions, rules, clock)
    async with sessions() as s:
        entry = await s.scalar(select(AuditEntry))
        report = await privacy_report(s, now=clock.now())
    assert entry is not None and entry.action is AuditAction.RETENTION_RUN
    assert parse_counts(entry.detail) == counts == report.last_counts
    assert (report.people, report.seekers, report.requests_by_age) == (1, 1, (0, 1, 0))
    assert report.last_run == clock.now()
