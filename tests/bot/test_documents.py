"""A notice rendered as a Document goes out through the real outbox sender as sendDocument,
over the recording transport: the file, its caption and keyboard, the message id recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.send_calls import is_new_message, prepare
from bot.sender import OutboxSender, RenderFn
from db.models import OutboxStatus
from handlers.views.direction import RLM
from handlers.views.document import Document, Shown, for_reader_shown
from services.clock import FrozenClock
from services.outbox import Notice, OfferNotice, Payload, TakenNotice
from services.outbox.queue import Due
from services.rules import Rules
from tests.bot.harness import RecordingSession, make_bot
from tests.conftest import COORDINATOR_ID
from tests.db.test_sender import add, rows, unpaced_sender

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Ich komme", callback_data="m:1")]]
)


def render(payload: Payload, locale: str) -> Shown:
    """An offer becomes a calendar file; any other notice stays a text."""
    if isinstance(payload, OfferNotice):
        caption = f"<b>{locale}</b> Treffen {payload.request.ref}"
        return Document("treffen.ics", ICS, caption, KEYBOARD)
    return f"{locale}:{payload.kind}", None


@pytest.fixture
def transport() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
async def sender(
    transport: RecordingSession,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    rules: Rules,
) -> AsyncIterator[OutboxSender]:
    bot = make_bot(transport)
    renderer: RenderFn = render
    yield unpaced_sender(bot, sessions, clock, rules, render=renderer)
    await bot.session.close()


async def test_a_document_goes_out_as_send_document_when_a_renderer_returns_one(
    sender: OutboxSender,
    transport: RecordingSession,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> None:
    row_id = await add(sessions, clock, 7, "M-1")
    assert await sender.drain() == 1
    [sent] = transport.calls
    assert isinstance(sent, SendDocument)
    assert sent.chat_id == 7
    assert isinstance(sent.document, BufferedInputFile)
    assert (sent.document.filename, sent.document.data) == ("treffen.ics", ICS)
    assert sent.caption == "<b>de</b> Treffen M-1"
    assert sent.reply_markup == KEYBOARD
    stored = (await rows(sessions))[row_id]
    assert stored.status is OutboxStatus.SENT
    assert stored.message_id == 1000  # the id the transport gave the document's message


async def test_texts_and_documents_go_out_side_by_side_when_both_are_due(
    sender: OutboxSender,
    transport: RecordingSession,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> None:
    await add(sessions, clock, 7, "M-2")
    await add(sessions, clock, 8, "T-1", kind=Notice.OFFER_TAKEN)
    assert await sender.drain() == 2
    sent = {type(call) for call in transport.calls}
    assert sent == {SendDocument, SendMessage}


async def test_a_document_is_parked_when_its_row_would_edit_a_message(
    sender: OutboxSender,
    transport: RecordingSession,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> None:
    original = await add(sessions, clock, 7, "T-2", kind=Notice.OFFER_TAKEN)
    assert await sender.drain() == 1
    edit = await add(sessions, clock, 7, "M-3", edit_of=original)
    assert await sender.drain() == 1  # only the coordinator's notice of the failure
    stored = (await rows(sessions))[edit]
    assert stored.status is OutboxStatus.FAILED
    assert "never an edit" in (stored.last_error or "")
    sent = [(type(call), getattr(call, "chat_id", None)) for call in transport.calls]
    assert sent == [(SendMessage, 7), (SendMessage, COORDINATOR_ID)]


async def test_the_same_file_goes_again_by_its_file_id_when_it_was_uploaded_before(
    sender: OutboxSender,
    transport: RecordingSession,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> None:
    await add(sessions, clock, 7, "M-4")
    assert await sender.drain() == 1
    await add(sessions, clock, 8, "M-5")
    assert await sender.drain() == 1
    first, second = transport.calls
    assert isinstance(first, SendDocument) and isinstance(second, SendDocument)
    assert isinstance(first.document, BufferedInputFile)
    assert second.document == "doc1000"  # the file_id Telegram gave the first upload
    assert second.caption == "<b>de</b> Treffen M-5"


def due(**overrides: Any) -> Due:
    values: dict[str, Any] = {
        "id": 1,
        "chat_id": 7,
        "kind": Notice.OFFER_TAKEN,
        "payload": TakenNotice(ref="R-1", request_id=1).to_json(),
        "edit_of": None,
        "not_before": None,
        "attempts": 0,
        "locale": "de",
        "language_code": None,
        "reachable": True,
        "target_status": None,
        "target_message_id": None,
    }
    return Due(**(values | overrides))


def test_a_document_counts_as_a_new_message_when_the_pacer_asks() -> None:
    document = Document("a.ics", ICS)
    assert is_new_message(due(), document)
    assert prepare(due(), lambda p, locale: document, ("de",), "de") is document


def test_a_caption_is_marked_right_to_left_when_the_reader_reads_arabic() -> None:
    shown = for_reader_shown(Document("a.ics", ICS, "اجتماع 18:30", KEYBOARD), "ar")
    assert isinstance(shown, Document) and shown.caption == RLM + "اجتماع 18:30"
    assert (shown.filename, shown.content, shown.keyboard) == ("a.ics", ICS, KEYBOARD)
    assert for_reader_shown(Document("a.ics", ICS), "ar") == Document("a.ics", ICS)
    assert for_reader_shown(("نص", None), "ar") == (RLM + "نص", None)
    assert for_reader_shown(("Text", None), "de") == ("Text", None)
