"""Requests and offers against a real SQLite file: submit, accept (first wins), decline, release,
done, cancel, unreachable volunteers and the outbox's dedupe key."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import HelpRequest, Offer, OutboxMessage, OutboxStatus, RequestEvent
from matching.escalation import Policy
from matching.status import OfferStatus, RequestStatus
from services.answers import (
    Answer,
    accept_offer,
    decline_offer,
    mark_done,
    release_request,
)
from services.clock import FrozenClock
from services.escalation import due_request_ids, run_if_due
from services.leaving import mark_volunteer_unreachable
from services.outbox import ApprovedNotice, DoneNotice, LotsenNotice, Notice, enqueue
from services.requests import CancelOutcome, SubmitOutcome, cancel_request, submit_request
from services.rules import Rules
from services.users import touch_user
from services.volunteers import pause
from tests.conftest import T0
from tests.factories import (
    add_offer,
    add_volunteer,
    add_volunteers,
    count,
    draft,
    event_kinds,
    offers_of,
    outbox,
)

Sessions = async_sessionmaker[AsyncSession]


async def submit(sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock, **kw) -> int:
    async with sessions() as s, s.begin():
        done = await submit_request(
            s, seeker_id=seeker, draft=draft(**kw), rules=rules, now=clock.now()
        )
        assert done.request is not None
        return done.request.id


async def pending_offers(sessions: Sessions, request_id: int) -> dict[int, int]:
    """Volunteer id -> offer id of every pending offer."""
    async with sessions() as s:
        return {
            o.volunteer_id: o.id
            for o in await offers_of(s, request_id)
            if o.status is OfferStatus.PENDING
        }


async def accept(sessions: Sessions, clock: FrozenClock, offer_id: int, volunteer: int) -> Answer:
    async with sessions() as s, s.begin():
        answer, _ = await accept_offer(
            s, offer_id=offer_id, volunteer_id=volunteer, now=clock.now()
        )
        return answer


async def get_request(sessions: Sessions, request_id: int) -> HelpRequest:
    async with sessions() as s:
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        return request


async def test_submit_writes_request_event_and_best_k_offers_when_volunteers_match(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    now = clock.now()
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=now, languages=("de", "ar"), last_offer_at=now)
        await add_volunteer(s, 12, now=now)
        await add_volunteer(s, 13, now=now, last_offer_at=now - timedelta(days=2))
        await add_volunteer(s, 14, now=now, last_offer_at=now - timedelta(hours=1))
        await add_volunteer(s, 15, now=now, districts=("porz",))
        await add_volunteer(s, 16, now=now, skills=("school",))
    request_id = await submit(sessions, seeker, rules, clock, language="ar")
    async with sessions() as s:
        assert await count(s, HelpRequest) == 1
        assert await event_kinds(s, request_id) == ["created", "offered"]
        offers = await offers_of(s, request_id)
        assert [o.volunteer_id for o in offers] == [11, 12, 13]
        messages = await outbox(s)
        assert [(m.chat_id, m.kind) for m in messages] == [(v, Notice.OFFER) for v in (11, 12, 13)]
        assert [o.outbox_id for o in offers] == [m.id for m in messages]
        request = await s.get(HelpRequest, request_id)
        assert request is not None
        assert (request.tier, request.step) == (0, 1)
        assert request.next_step_at == now + timedelta(minutes=20)


async def test_nothing_is_written_when_the_submitting_transaction_rolls_back(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, range(11, 15), now=clock.now())
    async with sessions() as s:
        await s.begin()
        await submit_request(s, seeker_id=seeker, draft=draft(), rules=rules, now=clock.now())
        await s.rollback()
    async with sessions() as s:
        for model in (HelpRequest, RequestEvent, Offer, OutboxMessage):
            assert await count(s, model) == 0, model


async def test_exactly_one_wins_when_twenty_volunteers_accept_at_once(
    sessions: Sessions, seeker: int, clock: FrozenClock
) -> None:
    rules = Rules(policy=Policy(offers_per_round=20))
    volunteers = range(101, 121)
    async with sessions() as s, s.begin():
        await add_volunteers(s, volunteers, now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    offers = await pending_offers(sessions, request_id)
    assert sorted(offers) == list(volunteers)
    # The sender delivered half of the offers already; the rest are still queued.
    async with sessions() as s, s.begin():
        for i, message in enumerate(await outbox(s, kind=Notice.OFFER)):
            if i % 2 == 0:
                message.status, message.message_id = OutboxStatus.SENT, 5000 + i
    answers = await asyncio.gather(*(accept(sessions, clock, offers[v], v) for v in volunteers))
    assert sorted(answers) == sorted([Answer.ACCEPTED] + [Answer.TAKEN] * 19)
    winner = volunteers[answers.index(Answer.ACCEPTED)]
    request = await get_request(sessions, request_id)
    assert (request.status, request.assignee_id, request.next_step_at) == (
        RequestStatus.ASSIGNED,
        winner,
        None,
    )
    async with sessions() as s:
        statuses = {o.volunteer_id: o.status for o in await offers_of(s, request_id)}
        assert statuses == {
            v: OfferStatus.ACCEPTED if v == winner else OfferStatus.WITHDRAWN for v in volunteers
        }
        originals = {m.id: m for m in await outbox(s, kind=Notice.OFFER)}
        edits = await outbox(s, kind=Notice.OFFER_TAKEN)
        assert sorted(m.chat_id for m in edits) == [v for v in volunteers if v != winner]
        for edit in edits:
            assert edit.edit_of is not None
            original = originals[edit.edit_of]
            assert original.chat_id == edit.chat_id
            assert original.status in (OutboxStatus.SENT, OutboxStatus.CANCELLED)
            assert (original.status is OutboxStatus.SENT) == (original.message_id is not None)
        assert originals[offers[winner]].status is not OutboxStatus.CANCELLED
        assert [m.chat_id for m in await outbox(s, kind=Notice.SEEKER_MATCHED)] == [seeker]
        assert (await event_kinds(s, request_id)).count("accepted") == 1


async def test_the_next_candidate_is_offered_when_a_volunteer_declines(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, range(11, 15), now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    offers = await pending_offers(sessions, request_id)
    (left_out,) = set(range(11, 15)) - set(offers)
    decliner = min(offers)
    async with sessions() as s, s.begin():
        answer, _ = await decline_offer(
            s, offer_id=offers[decliner], volunteer_id=decliner, rules=rules, now=clock.now()
        )
    assert answer is Answer.DECLINED
    assert set(await pending_offers(sessions, request_id)) == set(offers) - {decliner} | {left_out}
    async with sessions() as s:
        assert [m.chat_id for m in await outbox(s, kind=Notice.OFFER)][-1] == left_out
        assert (await event_kinds(s, request_id))[-2:] == ["declined", "offered"]


@pytest.mark.parametrize(
    ("volunteers", "step_due_now"),
    [
        pytest.param(1, True, id="no-offer-left-open"),
        pytest.param(2, False, id="another-offer-still-open"),
    ],
)
async def test_the_step_is_due_now_when_the_last_open_offer_is_declined_and_nobody_is_left(
    sessions: Sessions,
    seeker: int,
    rules: Rules,
    clock: FrozenClock,
    volunteers: int,
    step_due_now: bool,
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, range(11, 11 + volunteers), now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    clock.advance(timedelta(minutes=5))
    async with sessions() as s, s.begin():
        await decline_offer(
            s,
            offer_id=(await pending_offers(sessions, request_id))[11],
            volunteer_id=11,
            rules=rules,
            now=clock.now(),
        )
    request = await get_request(sessions, request_id)
    async with sessions() as s:
        due = await due_request_ids(s, now=clock.now())
        assert "no_candidates" in await event_kinds(s, request_id)
    if step_due_now:
        assert (request.next_step_at, due) == (clock.now(), [request_id])
    else:
        assert (request.next_step_at, due) == (T0 + timedelta(minutes=20), [])


async def test_an_old_offer_still_wins_when_accepted_late_while_the_request_is_open(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now())
        await add_volunteer(s, 21, now=clock.now(), districts=("porz",), is_lotse=True)
    request_id = await submit(sessions, seeker, rules, clock)
    first_offer = (await pending_offers(sessions, request_id))[11]
    clock.advance(timedelta(hours=1))
    async with sessions() as s, s.begin():
        await run_if_due(s, request_id=request_id, rules=rules, now=clock.now())
    assert (await get_request(sessions, request_id)).tier == 1
    assert await accept(sessions, clock, first_offer, 11) is Answer.ACCEPTED
    request = await get_request(sessions, request_id)
    assert (request.status, request.assignee_id, request.next_step_at) == (
        RequestStatus.ASSIGNED,
        11,
        None,
    )
    assert await pending_offers(sessions, request_id) == {}


async def test_accept_is_refused_as_cancelled_when_the_seeker_cancelled(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    offer_id = (await pending_offers(sessions, request_id))[11]
    async with sessions() as s, s.begin():
        outcome = await cancel_request(s, request_id=request_id, seeker_id=seeker, now=clock.now())
    assert outcome is CancelOutcome.CANCELLED
    assert await accept(sessions, clock, offer_id, 11) is Answer.CANCELLED
    assert (await get_request(sessions, request_id)).assignee_id is None


@pytest.mark.parametrize(
    "forged",
    [pytest.param("unknown-offer-id", id="unknown-id"), pytest.param("other", id="not-theirs")],
)
async def test_accept_and_decline_find_nothing_when_the_offer_is_forged(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock, forged: str
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, (11, 12), now=clock.now())
        await add_volunteer(s, 13, now=clock.now(), skills=("school",))
    request_id = await submit(sessions, seeker, rules, clock)
    offer_id = (await pending_offers(sessions, request_id))[11]
    offer_id, volunteer = (offer_id + 1000, 11) if forged == "unknown-offer-id" else (offer_id, 13)
    assert await accept(sessions, clock, offer_id, volunteer) is Answer.NOT_FOUND
    async with sessions() as s, s.begin():
        answer, _ = await decline_offer(
            s, offer_id=offer_id, volunteer_id=volunteer, rules=rules, now=clock.now()
        )
    assert answer is Answer.NOT_FOUND
    assert (await get_request(sessions, request_id)).status is RequestStatus.OPEN
    assert set(await pending_offers(sessions, request_id)) == {11, 12}


async def test_others_are_offered_and_the_seeker_told_when_the_assignee_releases(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, range(11, 15), now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    offers = await pending_offers(sessions, request_id)
    releaser = min(offers)
    assert await accept(sessions, clock, offers[releaser], releaser) is Answer.ACCEPTED
    clock.advance(timedelta(days=1))
    async with sessions() as s, s.begin():
        answer = await release_request(
            s, request_id=request_id, volunteer_id=releaser, rules=rules, now=clock.now()
        )
    assert answer is Answer.RELEASED
    assert set(await pending_offers(sessions, request_id)) == set(range(11, 15)) - {releaser}
    request = await get_request(sessions, request_id)
    assert (request.status, request.assignee_id, request.tier, request.step) == (
        RequestStatus.OPEN,
        None,
        0,
        1,
    )
    async with sessions() as s:
        assert [m.chat_id for m in await outbox(s, kind=Notice.SEEKER_RELEASED)] == [seeker]
        assert releaser not in [m.chat_id for m in await outbox(s, kind=Notice.OFFER)][3:]
    # The releaser's old offer stays answered: pressing Accept again does not take it back.
    assert await accept(sessions, clock, offers[releaser], releaser) is Answer.ALREADY_RELEASED


async def test_the_seeker_is_told_when_the_assignee_marks_the_request_done(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    await accept(sessions, clock, (await pending_offers(sessions, request_id))[11], 11)
    async with sessions() as s, s.begin():
        assert await mark_done(s, request_id=request_id, volunteer_id=12, now=clock.now()) is (
            Answer.NOT_FOUND
        )
        assert await mark_done(s, request_id=request_id, volunteer_id=11, now=clock.now()) is (
            Answer.DONE
        )
    assert (await get_request(sessions, request_id)).status is RequestStatus.DONE
    async with sessions() as s:
        assert [m.chat_id for m in await outbox(s, kind=Notice.SEEKER_DONE)] == [seeker]


async def test_open_offers_are_withdrawn_when_the_seeker_cancels(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, range(11, 14), now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        assert await cancel_request(s, request_id=request_id, seeker_id=11, now=clock.now()) is (
            CancelOutcome.NOT_FOUND
        )
        await cancel_request(s, request_id=request_id, seeker_id=seeker, now=clock.now())
    request = await get_request(sessions, request_id)
    assert (request.status, request.next_step_at) == (RequestStatus.CANCELLED, None)
    async with sessions() as s:
        assert {o.status for o in await offers_of(s, request_id)} == {OfferStatus.WITHDRAWN}
        withdrawn = await outbox(s, kind=Notice.OFFER_WITHDRAWN)
        assert sorted(m.chat_id for m in withdrawn) == [11, 12, 13]
        assert all(m.edit_of is not None for m in withdrawn)
        assert {m.status for m in await outbox(s, kind=Notice.OFFER)} == {OutboxStatus.CANCELLED}
        again = await cancel_request(s, request_id=request_id, seeker_id=seeker, now=clock.now())
        assert again is CancelOutcome.ALREADY_CANCELLED


async def test_the_assignee_is_told_when_the_seeker_cancels_an_assigned_request(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, (11, 12), now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    await accept(sessions, clock, (await pending_offers(sessions, request_id))[12], 12)
    async with sessions() as s, s.begin():
        await cancel_request(s, request_id=request_id, seeker_id=seeker, now=clock.now())
    async with sessions() as s:
        assert [m.chat_id for m in await outbox(s, kind=Notice.VOLUNTEER_CANCELLED)] == [12]
        assert await outbox(s, kind=Notice.OFFER_WITHDRAWN) == []


async def test_no_further_offers_go_out_when_a_volunteer_blocked_the_bot(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now())
        await add_volunteer(s, 12, now=clock.now(), last_offer_at=clock.now())
    first = await submit(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        await mark_volunteer_unreachable(s, user_id=11, rules=rules, now=clock.now())  # a 403
    async with sessions() as s:
        assert {m.status for m in await outbox(s, chat_id=11)} == {OutboxStatus.UNREACHABLE}
    second = await submit(sessions, seeker, rules, clock)
    # 11 can no longer answer: their offer counts as declined, so no round waits on it.
    assert set(await pending_offers(sessions, first)) == {12}
    assert set(await pending_offers(sessions, second)) == {12}
    # Writing to the bot again proves the volunteer is reachable.
    async with sessions() as s, s.begin():
        await touch_user(
            s, user_id=11, first_name="Ana", username=None, language_code="de", now=clock.now()
        )
    third = await submit(sessions, seeker, rules, clock)
    assert set(await pending_offers(sessions, third)) == {11, 12}


async def test_a_second_enqueue_is_a_no_op_when_the_dedupe_key_repeats(
    sessions: Sessions, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        done = DoneNotice(ref="R1", request_id=1)
        first = await enqueue(s, chat_id=11, payload=done, dedupe_key="k", now=T0)
        lotsen = LotsenNotice(ref="R2", request_id=2)
        second = await enqueue(s, chat_id=12, payload=lotsen, dedupe_key="k", now=T0)
        assert second.id == first.id
    async with sessions() as s, s.begin():
        third = await enqueue(
            s, chat_id=13, payload=ApprovedNotice(), dedupe_key="k", now=clock.now()
        )
        assert third.id == first.id
        rows = await s.scalars(select(OutboxMessage))
        assert [(m.chat_id, m.kind, m.payload) for m in rows] == [
            (11, Notice.SEEKER_DONE, done.to_json())
        ]


async def test_the_next_candidate_is_asked_when_an_offered_volunteer_becomes_unreachable(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        for user_id in (11, 12, 13, 14):
            await add_volunteer(s, user_id, now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    offered = set(await pending_offers(sessions, request_id))
    assert len(offered) == 3
    gone = min(offered)
    async with sessions() as s, s.begin():
        await mark_volunteer_unreachable(s, user_id=gone, rules=rules, now=clock.now())
    assert set(await pending_offers(sessions, request_id)) == (offered - {gone}) | {
        ({11, 12, 13, 14} - offered).pop()
    }


async def test_escalation_moves_on_now_when_every_lotse_has_declined(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 21, now=clock.now(), districts=("porz",), is_lotse=True)
    request_id = await submit(sessions, seeker, rules, clock)  # nobody in Ehrenfeld: tier 1
    request = await get_request(sessions, request_id)
    assert request.tier == 1 and request.next_step_at is not None
    assert request.next_step_at > clock.now()
    offers = await pending_offers(sessions, request_id)
    async with sessions() as s, s.begin():
        await decline_offer(s, offer_id=offers[21], volunteer_id=21, rules=rules, now=clock.now())
    assert (await get_request(sessions, request_id)).next_step_at == clock.now()


async def test_nothing_is_created_and_the_count_is_told_when_the_seeker_has_too_many_open(
    sessions: Sessions, seeker: int, clock: FrozenClock
) -> None:
    two = Rules(max_open_requests=2)
    first = await submit(sessions, seeker, two, clock)
    await submit(sessions, seeker, two, clock)
    async with sessions() as s, s.begin():
        refused = await submit_request(s, seeker_id=seeker, draft=draft(), rules=two, now=T0)
        assert (refused.outcome, refused.request, refused.open_count) == (
            SubmitOutcome.TOO_MANY,
            None,
            2,
        )
    async with sessions() as s:
        assert await count(s, HelpRequest) == 2
    async with sessions() as s, s.begin():
        await cancel_request(s, request_id=first, seeker_id=seeker, now=clock.now())
    await submit(sessions, seeker, two, clock)  # room again


async def test_the_same_request_comes_back_when_a_form_is_submitted_twice(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, range(11, 15), now=clock.now())
    outcomes = []
    for _ in range(2):
        async with sessions() as s, s.begin():
            done = await submit_request(
                s, seeker_id=seeker, draft=draft(), rules=rules, now=T0, draft_key="form-1"
            )
            assert done.request is not None
            outcomes.append((done.outcome, done.request.id))
    assert [o for o, _ in outcomes] == [SubmitOutcome.SENT, SubmitOutcome.ALREADY_SENT]
    assert outcomes[0][1] == outcomes[1][1]
    async with sessions() as s:
        assert await count(s, HelpRequest) == 1
        assert await count(s, Offer) == 3


async def test_a_taken_reference_is_skipped_without_breaking_the_transaction_when_refs_collide(
    sessions: Sessions,
    seeker: int,
    rules: Rules,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One letter, so every reference is AAAAAA: the unique constraint refuses every retry.
    monkeypatch.setattr("services.requests.REF_ALPHABET", "A")
    await submit(sessions, seeker, rules, clock)
    async with sessions() as s, s.begin():
        with pytest.raises(RuntimeError, match="no free request reference"):
            await submit_request(s, seeker_id=seeker, draft=draft(), rules=rules, now=T0)
        # The transaction is still usable (a failed plain INSERT aborts it on PostgreSQL).
        assert await count(s, HelpRequest) == 1


async def test_a_declined_offer_cannot_be_accepted_when_the_accept_is_forged(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, (11, 12), now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    offer_id = (await pending_offers(sessions, request_id))[11]
    async with sessions() as s, s.begin():
        await decline_offer(s, offer_id=offer_id, volunteer_id=11, rules=rules, now=clock.now())
    assert await accept(sessions, clock, offer_id, 11) is Answer.ALREADY_ANSWERED
    request = await get_request(sessions, request_id)
    assert (request.status, request.assignee_id) == (RequestStatus.OPEN, None)
    async with sessions() as s:
        offer = await s.get(Offer, offer_id)
        assert offer is not None and offer.status is OfferStatus.DECLINED


async def test_a_withdrawn_offer_cannot_be_accepted_when_the_request_is_open_again(
    sessions: Sessions, seeker: int, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteers(s, (11, 12), now=clock.now())
    request_id = await submit(sessions, seeker, rules, clock)
    offers = await pending_offers(sessions, request_id)
    assert await accept(sessions, clock, offers[11], 11) is Answer.ACCEPTED
    async with sessions() as s, s.begin():
        await pause(s, user_id=12, until=None)  # so the release does not ask 12 again
        await release_request(
            s, request_id=request_id, volunteer_id=11, rules=rules, now=clock.now()
        )
    assert (await get_request(sessions, request_id)).status is RequestStatus.OPEN
    assert await accept(sessions, clock, offers[12], 12) is Answer.OFFER_ENDED
    assert (await get_request(sessions, request_id)).assignee_id is None


async def test_a_volunteer_is_not_offered_their_own_request_in_any_tier(
    sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now(), is_lotse=True)  # asks for help themselves
        await add_volunteer(s, 21, now=clock.now(), districts=("porz",), is_lotse=True)
    request_id = await submit(sessions, 11, rules, clock)
    assert set(await pending_offers(sessions, request_id)) == {21}  # the Lotsen pool, not 11
    assert (await get_request(sessions, request_id)).tier == 1


async def test_a_forged_accept_of_their_own_request_is_refused_when_a_seeker_volunteers(
    sessions: Sessions, rules: Rules, clock: FrozenClock
) -> None:
    async with sessions() as s, s.begin():
        await add_volunteer(s, 11, now=clock.now())
    request_id = await submit(sessions, 11, rules, clock)
    async with sessions() as s, s.begin():  # an offer as made before nobody got their own
        offer = await add_offer(s, request_id=request_id, volunteer_id=11, created_at=T0)
    assert await accept(sessions, clock, offer.id, 11) is Answer.OWN_REQUEST
    assert (await get_request(sessions, request_id)).status is RequestStatus.OPEN
