"""sendDocument in the Bot API emulator, driven over HTTP by a real aiogram Bot, and a calendar
invitation sent through the real outbox sender arriving intact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import Emulator, Event, format_event
from bot.sender import OutboxSender
from db.models import OutboxStatus
from handlers.views.document import Document, Shown
from matching.invitation import invitation
from services.outbox import Notice, OfferNotice, Payload
from services.rules import Rules
from tests.db.test_sender import sample
from tests.e2e.conftest import emulator_sender, make_bot
from tests.e2e.test_sender_emulator import add, add_users, statuses

ANNA = 301
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Lotse//Test//EN\r\nEND:VCALENDAR\r\n"
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Ich komme", callback_data="m:1")]]
)


@pytest.fixture
def anna(emu: Emulator) -> int:
    emu.add_user(ANNA, "Anna")
    return ANNA


def ics(name: str = "treffen.ics", data: bytes = ICS) -> BufferedInputFile:
    return BufferedInputFile(data, filename=name)


async def test_a_document_arrives_with_its_name_type_bytes_and_caption_when_uploaded(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    sent = await bot.send_document(
        anna, ics(), caption="<b>Treffen</b> am Donnerstag", reply_markup=KEYBOARD
    )
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.mime_type) == ("treffen.ics", "text/calendar")
    assert sent.document.file_size == len(ICS)
    assert sent.caption == "Treffen am Donnerstag" and sent.text is None
    assert sent.caption_entities is not None and sent.caption_entities[0].type == "bold"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "m:1"
    [document] = emu.documents_to(anna)
    assert document.content == ICS and document.file_id == sent.document.file_id
    found = await emu.wait_for_message(anna, contains="Donnerstag")
    assert found.message_id == sent.message_id and found.html == "<b>Treffen</b> am Donnerstag"
    assert emu.stats.sent == 1 and emu.stats.calls["sendDocument"] == 1


async def test_a_document_shows_its_file_name_when_the_transcript_is_rendered(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    lines: list[str] = []

    def collect(event: Event) -> None:
        lines.append(format_event(event))

    emu.on_event = collect
    await bot.send_document(anna, ics(), caption="Treffen")
    await bot.send_document(anna, ics("leer.ics"))
    assert lines == [
        "[Anna ← bot] 📎 treffen.ics\n" + " " * 13 + "Treffen",
        "[Anna ← bot] 📎 leer.ics",
    ]
    assert "📎 treffen.ics" in emu.describe(anna)


async def test_a_caption_over_1024_characters_is_refused_when_tags_do_not_count(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    await bot.send_document(anna, ics(), caption="<b>" + "x" * 1024 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(anna, ics(), caption="x" * 1025)
    assert len(emu.documents_to(anna)) == 1


async def test_a_file_sent_again_by_its_id_is_the_same_document_when_it_was_uploaded_before(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    first = await bot.send_document(anna, ics())
    assert first.document is not None
    again = await bot.send_document(anna, first.document.file_id)
    assert again.document is not None and again.message_id == first.message_id + 1
    assert again.document.file_unique_id == first.document.file_unique_id
    assert [d.content for d in emu.documents_to(anna)] == [ICS, ICS]
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(anna, "BQAC-never-uploaded")


async def test_a_document_without_a_file_is_refused_when_posted_by_hand(
    emu: Emulator, anna: int
) -> None:
    url = f"{emu.base_url}/bot1:x/sendDocument"
    direct = aiohttp.FormData()
    direct.add_field("chat_id", str(anna))
    direct.add_field("document", ICS, filename="direkt.ics")  # the file as the parameter itself
    empty = aiohttp.FormData()
    empty.add_field("chat_id", str(anna))
    empty.add_field("document", b"", filename="leer.ics")
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data={"chat_id": anna, "caption": "ohne"}) as r:
            missing = (r.status, (await r.json())["description"])
        async with http.post(url, data=empty) as r:
            nothing = (r.status, (await r.json())["description"])
        async with http.post(url, data=direct) as r:
            assert r.status == 200
    assert missing == (400, "Bad Request: there is no document in the request")
    assert nothing == (400, "Bad Request: file must be non-empty")
    assert [d.file_name for d in emu.documents_to(anna)] == ["direkt.ics"]


async def test_a_document_cannot_be_edited_as_text_when_it_has_only_a_caption(
    bot: Bot, anna: int
) -> None:
    sent = await bot.send_document(anna, ics(), caption="Treffen")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("Neu", chat_id=anna, message_id=sent.message_id)


async def test_a_document_counts_against_the_flood_limits_when_they_are_on(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    emu.rate_limits = True
    await bot.send_document(anna, ics())
    with pytest.raises(TelegramRetryAfter):
        await bot.send_document(anna, ics())
    assert emu.max_sends_in_window(1.0) == 1 and len(emu.documents_to(anna)) == 1


def render_invitation(payload: Payload, locale: str) -> Shown:
    assert isinstance(payload, OfferNotice)
    content = invitation(
        uid=f"meeting-{payload.request.ref}@lotse",
        title="Helferbesprechung",
        start_local=datetime(2025, 3, 20, 18, 30),
        duration_minutes=90,
        tz="Europe/Berlin",
        weekly=True,
        skipped=[date(2025, 4, 3)],
        place="Bürgerhaus Kalk",
        url=None,
        now_utc=datetime(2025, 3, 1, 9, tzinfo=UTC),
    )
    return Document("helferbesprechung.ics", content, "<b>Helferbesprechung</b>", KEYBOARD)


@pytest.fixture
async def invitation_sender(
    emu: Emulator, sessions: async_sessionmaker[AsyncSession], rules: Rules
) -> AsyncIterator[OutboxSender]:
    bot = make_bot(emu)
    yield emulator_sender(bot, sessions, rules, render_invitation)
    await bot.session.close()


async def test_an_invitation_arrives_intact_and_parses_when_the_sender_posts_it(
    emu: Emulator,
    invitation_sender: OutboxSender,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_users(emu, sessions, 11)
    row_id = await add(sessions, 11, "M-7")
    assert await invitation_sender.drain() == 1
    [message] = emu.messages_to(11)
    assert message.document is not None and message.caption == "Helferbesprechung"
    assert message.document.file_name == "helferbesprechung.ics"
    expected = render_invitation(sample(Notice.OFFER, "M-7"), "de")
    assert isinstance(expected, Document) and message.document.content == expected.content
    [event] = Calendar.from_ical(message.document.content).events
    assert str(event["uid"]) == "meeting-M-7@lotse"
    assert event.start == datetime(2025, 3, 20, 18, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    stored = (await statuses(sessions))[row_id]
    assert stored.status is OutboxStatus.SENT and stored.message_id == message.message_id
