"""The Bot API emulator, driven over HTTP by a real aiogram Bot."""

from __future__ import annotations

import asyncio
import html
import time

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.emulator import Emulator, Event, format_event, run_emulator
from tests.e2e.conftest import make_bot

ANNA = 101


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(text=text, callback_data=data) for text, data in buttons]
    return InlineKeyboardMarkup(inline_keyboard=[row])


@pytest.fixture
def anna(emu: Emulator) -> int:
    emu.add_user(ANNA, "Anna", username="anna_k")
    return ANNA


async def test_send_and_edit_round_trip_is_kept_in_the_transcript(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    sent = await bot.send_message(anna, "<b>Hallo</b> Anna", reply_markup=keyboard(("Ja", "y")))
    assert sent.text == "Hallo Anna"
    assert sent.entities is not None and sent.entities[0].type == "bold"

    edited = await bot.edit_message_text("Erledigt", chat_id=anna, message_id=sent.message_id)
    second = await bot.send_message(anna, "Noch was")

    assert isinstance(edited, Message) and edited.edit_date is not None
    assert second.message_id == sent.message_id + 1
    first = emu.transcript(anna)[0]
    assert first.text == "Erledigt"
    assert first.reply_markup is None, "an edit without reply_markup drops the keyboard"
    assert first.edits[0].text == "Hallo Anna" and first.edits[0].html == "<b>Hallo</b> Anna"
    assert [m.text for m in emu.messages_to(anna)] == ["Erledigt", "Noch was"]
    assert (emu.stats.sent, emu.stats.edited) == (2, 1)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Erledigt", chat_id=anna, message_id=sent.message_id)


async def test_get_updates_long_polls_and_honours_offset(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_for(lambda: emu.stats.get_updates_calls == 1, description="the poll")
    started = time.monotonic()
    await emu.user_sends(anna, "/start ref42")
    updates = await poll

    assert time.monotonic() - started < 1.0, "a waiting long poll must answer at once"
    message = updates[0].message
    assert message is not None and message.text == "/start ref42"
    assert message.entities is not None and message.entities[0].type == "bot_command"
    assert message.from_user is not None and message.from_user.language_code == "de"
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id], "unconfirmed: delivered again"
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == []
    assert emu.pending_updates == 0


async def test_pressing_a_button_yields_a_callback_query(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    sent = await bot.send_message(anna, "Hilfe?", reply_markup=keyboard(("Annehmen", "acc:7")))
    query_id = await emu.press_button(anna, "Annehm")
    [update] = await bot.get_updates(timeout=1)

    query = update.callback_query
    assert query is not None and query.id == query_id and query.data == "acc:7"
    assert query.message is not None and query.message.message_id == sent.message_id
    await bot.answer_callback_query(query.id, text="Danke")
    assert (await emu.wait_for_callback_answer(query_id))["text"] == "Danke"
    with pytest.raises(LookupError, match="no inline button"):
        await emu.press_button(anna, "Ablehnen")


async def test_message_over_4096_visible_characters_is_rejected(bot: Bot, anna: int) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(anna, "x" * 4097)
    await bot.send_message(anna, "<b>" + "x" * 4096 + "</b>")  # tags do not count


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot, anna: int) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(anna, "Wahl", reply_markup=keyboard(("A", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(anna, "Wahl", reply_markup=keyboard(("A", "ä" * 33)))
    await bot.send_message(anna, "Wahl", reply_markup=keyboard(("A", "x" * 64)))


@pytest.mark.parametrize(
    "text", ["1 < 2", "Tom & Jerry", "<b>offen", "<b>x</i>", "<script>x</script>", "a</b>"]
)
async def test_invalid_html_is_rejected(emu: Emulator, bot: Bot, anna: int, text: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(anna, text)
    assert emu.stats.http_400 == 1 and emu.messages_to(anna) == []


async def test_escaped_user_text_is_accepted(emu: Emulator, bot: Bot, anna: int) -> None:
    raw = 'Tom & Jerry <3 "Köln"'
    sent = await bot.send_message(anna, f"<i>{html.escape(raw)}</i> &#128075;")
    assert sent.text == raw + " 👋"
    assert await emu.wait_for_message(anna, contains="Tom & Jerry") is emu.messages_to(anna)[0]


async def test_global_rate_limit_rejects_the_31st_send_in_a_second(emu: Emulator, bot: Bot) -> None:
    emu.rate_limits = True
    for user_id in range(1, 32):
        emu.add_user(user_id, f"user{user_id}")
    results = await asyncio.gather(
        *(bot.send_message(user_id, "Neuigkeiten") for user_id in range(1, 32)),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], TelegramRetryAfter)
    assert errors[0].retry_after >= 1
    assert emu.stats.http_429 == 1 and emu.stats.sent == 30
    assert emu.max_sends_in_window(1.0) == 30


async def test_edits_count_in_their_chat_only(emu: Emulator, bot: Bot) -> None:
    """The overall limit is Telegram's limit on bulk notifications: new messages. An edit
    answers a person in their own chat."""
    emu.rate_limits = True
    for user_id in range(1, 32):
        emu.add_user(user_id, f"user{user_id}")
    first = await bot.send_message(31, "Hallo")
    await asyncio.gather(*(bot.send_message(user_id, "Neuigkeiten") for user_id in range(1, 30)))
    await asyncio.sleep(1.05)  # chat 31's own second is over; the overall window is not
    await bot.edit_message_text("Hallo!", chat_id=31, message_id=first.message_id)
    with pytest.raises(TelegramRetryAfter):
        await bot.edit_message_text("Hallo!!", chat_id=31, message_id=first.message_id)
    assert emu.stats.http_429 == 1 and emu.stats.edited == 1


async def test_per_chat_and_group_limits(emu: Emulator, bot: Bot, anna: int) -> None:
    emu.rate_limits = True
    await bot.send_message(anna, "eins")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(anna, "zwei")
    assert caught.value.retry_after >= 1

    emu.group_per_minute = 2  # limits can change on a running emulator
    emu.add_group(-500, "Helfende Ehrenfeld")
    await bot.send_message(-500, "a")
    await bot.send_message(-500, "b")
    with pytest.raises(TelegramRetryAfter) as group_caught:
        await bot.send_message(-500, "c")
    assert 55 <= group_caught.value.retry_after <= 60
    assert emu.stats.http_429 == 2 and len(emu.sends) == 3, "rejected calls do not count"


async def test_blocked_user_gets_403_and_a_my_chat_member_update(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    await emu.block(anna)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(anna, "Hallo?")
    [update] = await bot.get_updates(timeout=1)
    member = update.my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"
    assert member.from_user.id == anna and emu.stats.http_403 == 1

    emu.unblock(anna)
    await bot.send_message(anna, "Wieder da")


async def test_fail_next_injects_faults_then_recovers(emu: Emulator, bot: Bot, anna: int) -> None:
    emu.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    emu.fail_next("sendMessage", 500, "Internal Server Error", count=2)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(anna, "x")
    assert caught.value.retry_after == 3
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(anna, "x")
    await bot.send_message(anna, "x")
    assert (emu.stats.http_429, emu.stats.http_5xx, emu.stats.sent) == (1, 2, 1)


async def test_other_encodings_and_unknown_methods(emu: Emulator, anna: int) -> None:
    base = f"{emu.base_url}/bot1:x"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/sendMessage", json={"chat_id": anna, "text": "json"}) as r:
            assert r.status == 200 and (await r.json())["result"]["text"] == "json"
        async with http.post(f"{base}/sendmessage", data={"chat_id": anna, "text": "form"}) as r:
            assert r.status == 200
        async with http.get(f"{base}/getMe") as r:
            assert (await r.json())["result"]["username"] == "lotse_test_bot"
        async with http.post(f"{base}/sendSticker", data={"chat_id": anna}) as r:
            body = await r.json()
    assert r.status == 404 and body["description"] == "Not Found: method not found"
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_timeout_error_shows_the_transcript(emu: Emulator, bot: Bot, anna: int) -> None:
    await bot.send_message(anna, "Willkommen")
    with pytest.raises(TimeoutError, match=r"(?s)containing 'Tschüss'.*Willkommen"):
        await emu.wait_for_message(anna, contains="Tschüss", timeout=0.05)


async def test_event_hook_renders_a_readable_transcript(emu: Emulator, bot: Bot, anna: int) -> None:
    lines: list[str] = []

    def collect(event: Event) -> None:
        lines.append(format_event(event))

    emu.on_event = collect
    await emu.user_sends(anna, "Hallo & so")
    await bot.send_message(
        anna, "<b>Angebot</b>", reply_markup=keyboard(("Ja", "y"), ("Nein", "n"))
    )
    await emu.press_button(anna, "Nein")
    assert lines == [
        "[Anna → bot] Hallo & so",
        "[Anna ← bot] Angebot [Ja] [Nein]",
        "[Anna → bot ▣] [Nein]",
    ]


async def test_dispatcher_polling_end_to_end(emu: Emulator, bot: Bot, anna: int) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        name = html.escape(message.from_user.first_name if message.from_user else "")
        await message.answer(f"Willkommen, <b>{name}</b>!", reply_markup=keyboard(("Los", "go")))

    @dp.callback_query(F.data == "go")
    async def go(query: CallbackQuery) -> None:
        await query.answer("Gestartet")

    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        await emu.user_sends(anna, "/start")
        reply = await emu.wait_for_message(anna, contains="Willkommen, Anna!")
        query_id = await emu.press_button(anna, "Los")
        assert (await emu.wait_for_callback_answer(query_id))["text"] == "Gestartet"
        assert reply.html == "Willkommen, <b>Anna</b>!"
    finally:
        await dp.stop_polling()
        await polling


async def test_shutdown_releases_pending_long_polls_quickly() -> None:
    async with run_emulator() as emu:
        client = make_bot(emu)
        poll = asyncio.create_task(client.get_updates(timeout=30))
        await emu.wait_for(lambda: emu.stats.get_updates_calls == 1, description="the poll")
        started = time.monotonic()
    try:
        assert await poll == []
        assert time.monotonic() - started < 2.0
    finally:
        await client.session.close()
