"""One payload dataclass and one renderer per kind of notice; payloads round-trip through JSON,
strictly; personal data is marked where it is."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from handlers.views.notices import RENDERERS, renders
from matching.escalation import Tier
from matching.status import BroadcastStatus, WhenKind
from services.outbox import (
    PAYLOADS,
    ApprovalDoneNotice,
    ApprovalNotice,
    ApprovedNotice,
    AssignedNotice,
    BroadcastMessage,
    BroadcastProgress,
    CancelledNotice,
    ClosedNotice,
    CoordinatorNotice,
    DoneNotice,
    EscalationNotice,
    HeldAnswer,
    HistoryEntry,
    LotsenNotice,
    MatchedNotice,
    MeetingReminder,
    MeetingSkipped,
    Notice,
    OfferNotice,
    Payload,
    PayloadError,
    RejectedNotice,
    ReleasedNotice,
    RequestFacts,
    RequestReminder,
    RoleEndedNotice,
    SendFailedNotice,
    TakenNotice,
    TaskReminder,
    WithdrawnNotice,
    from_json,
    personal_fields,
)
from services.outbox import payloads as payloads_module
from services.outbox.payloads import StayQuestion

FACTS = RequestFacts(
    request_id=7,
    ref="K7M2QP",
    skill="furniture",
    district="ehrenfeld",
    when_kind=WhenKind.DATE,
    when_date=date(2025, 3, 14),
    description="Ein Schrank",
    language="de",
    urgent=True,
)
SAMPLES: list[Payload] = [
    HeldAnswer(method="SendMessage", params={"chat_id": 5, "text": "Hallo Sara"}),
    OfferNotice(request=FACTS, offer_id=9, tier=Tier.LOTSEN),
    TakenNotice(ref="K7M2QP", request_id=7),
    WithdrawnNotice(ref="K7M2QP", request_id=7),
    MatchedNotice(ref="K7M2QP", request_id=7, volunteer_id=601, volunteer_name="Victor"),
    ReleasedNotice(ref="K7M2QP", request_id=7),
    DoneNotice(ref="K7M2QP", request_id=7),
    LotsenNotice(ref="K7M2QP", request_id=7),
    CoordinatorNotice(ref="K7M2QP", request_id=7),
    ClosedNotice(ref="K7M2QP", request_id=7, reason="solved"),
    AssignedNotice(request=FACTS, seeker_id=501, seeker_name="Sara"),
    CancelledNotice(ref="K7M2QP", request_id=7),
    ApprovalNotice(
        volunteer_id=601,
        name="Victor",
        username=None,
        skills=("furniture",),
        districts=("ehrenfeld", "porz"),
        languages=("de", "uk"),
    ),
    ApprovalDoneNotice(volunteer_id=601, name="Victor", approved=False, by=900, by_name="Clara"),
    ApprovedNotice(),
    RejectedNotice(),
    RoleEndedNotice(),
    EscalationNotice(
        request=FACTS,
        history=(
            HistoryEntry(
                at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC), kind="offered", data={"tier": 0}
            ),
        ),
        notice=2,
    ),
    SendFailedNotice(chat_id=501, failed_kind="offer", error="Forbidden"),
    MeetingReminder(
        meeting_id=3,
        occurrence=datetime(2026, 3, 26, 17, 30, tzinfo=UTC),
        title="Helpers' evening",
        place="Bürgerhaus",
        duration_minutes=90,
        offset_minutes=60,
        weekly=True,
        tz="Europe/Berlin",
        skipped=(date(2026, 4, 2),),
        invitation=True,
    ),
    MeetingSkipped(meeting_id=3, occurrence=datetime(2026, 4, 2, 16, 30, tzinfo=UTC), title="Tea"),
    TaskReminder(request=FACTS, day=date(2025, 3, 14), seeker_id=501, seeker_name="Sara"),
    RequestReminder(
        ref="K7M2QP", request_id=7, day=date(2025, 3, 14), volunteer_id=601, volunteer_name="Vic"
    ),
    StayQuestion(),
    BroadcastMessage(broadcast_id=4, text="Summer party on Friday"),
    BroadcastProgress(
        broadcast_id=4, total=9, sent=5, failed=1, left=3, not_sent=0, state=BroadcastStatus.RUNNING
    ),
]
PERSONAL: dict[type[Payload], frozenset[str]] = {
    HeldAnswer: frozenset({"params"}),
    OfferNotice: frozenset({"description"}),
    MatchedNotice: frozenset({"volunteer_name"}),
    AssignedNotice: frozenset({"description", "seeker_name"}),
    ApprovalNotice: frozenset({"name", "username"}),
    ApprovalDoneNotice: frozenset({"name", "by_name"}),
    EscalationNotice: frozenset({"description"}),
    TaskReminder: frozenset({"description", "seeker_name"}),
    RequestReminder: frozenset({"volunteer_name"}),
    BroadcastMessage: frozenset({"text"}),
}


def test_every_kind_has_exactly_one_payload_class_when_the_module_is_read() -> None:
    declared = [
        value
        for value in vars(payloads_module).values()
        if isinstance(value, type) and issubclass(value, Payload) and "kind" in vars(value)
    ]
    assert sorted(cls.kind for cls in declared) == sorted(Notice)
    assert all(PAYLOADS[cls.kind] is cls for cls in declared)


def test_every_kind_but_held_answers_has_one_renderer_when_the_views_are_loaded() -> None:
    assert set(RENDERERS) == set(Notice) - {Notice.ANSWER}
    with pytest.raises(RuntimeError):
        renders(TakenNotice)(lambda payload, reader: ("", None))


def test_the_samples_cover_every_kind_once() -> None:
    assert sorted(sample.kind for sample in SAMPLES) == sorted(Notice)


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: p.kind.value)
def test_a_payload_comes_back_equal_when_stored_as_json_and_read(payload: Payload) -> None:
    stored = json.loads(json.dumps(payload.to_json()))
    assert from_json(payload.kind.value, stored) == payload


def test_request_facts_are_stored_flat_when_a_payload_carries_them() -> None:
    stored = OfferNotice(request=FACTS, offer_id=9, tier=Tier.LOTSEN).to_json()
    assert stored["ref"] == "K7M2QP" and stored["when_date"] == "2025-03-14"
    assert stored["when_kind"] == "date" and stored["tier"] == 1 and "request" not in stored


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: p.kind.value)
def test_reading_fails_when_the_stored_payload_has_an_unknown_key(payload: Payload) -> None:
    with pytest.raises(PayloadError, match="unknown"):
        from_json(payload.kind, payload.to_json() | {"surprise": 1})


@pytest.mark.parametrize("payload", [p for p in SAMPLES if p.to_json()], ids=lambda p: p.kind.value)
def test_reading_fails_when_the_stored_payload_misses_a_key(payload: Payload) -> None:
    stored = payload.to_json()
    stored.pop(sorted(stored)[0])
    with pytest.raises(PayloadError, match="missing"):
        from_json(payload.kind, stored)


@pytest.mark.parametrize("cls", list(PAYLOADS.values()), ids=lambda cls: cls.__name__)
def test_names_and_free_text_are_marked_personal_when_a_kind_carries_them(
    cls: type[Payload],
) -> None:
    assert personal_fields(cls) == PERSONAL.get(cls, frozenset())
