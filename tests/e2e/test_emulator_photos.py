"""sendPhoto in the Bot API emulator, driven over HTTP by a real aiogram Bot: the sizes Telegram
makes of a picture, its caption, a resend by file_id, and what Telegram refuses."""

from __future__ import annotations

import io

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile
from PIL import Image

from bot.emulator import Emulator

ANNA = 302


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#2a9d8f").save(out, format="PNG")
    return out.getvalue()


def picture(width: int = 1080, height: int = 1080) -> BufferedInputFile:
    return BufferedInputFile(png(width, height), filename="weeks.png")


@pytest.fixture
def anna(emu: Emulator) -> int:
    emu.add_user(ANNA, "Anna")
    return ANNA


async def test_a_photo_arrives_in_telegrams_sizes_with_its_caption_when_uploaded(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    sent = await bot.send_photo(anna, picture(), caption="<b>Anfragen</b> pro Woche")
    assert [(p.width, p.height) for p in sent.photo or []] == [
        (90, 90),
        (320, 320),
        (800, 800),
        (1080, 1080),
    ]
    assert sent.caption == "Anfragen pro Woche" and sent.text is None
    assert sent.caption_entities is not None and sent.caption_entities[0].type == "bold"
    [message] = emu.messages_to(anna)
    assert message.photo is not None and message.photo[-1]["width"] == 1080
    [uploaded] = emu.photos_to(anna)
    assert uploaded.content == png(1080, 1080)
    assert sent.photo is not None and sent.photo[-1].file_id == uploaded.file_id
    assert sent.photo[-1].file_size == len(uploaded.content)
    assert message.shown == "📷 photo\nAnfragen pro Woche"
    assert emu.stats.sent == 1 and emu.stats.calls["sendPhoto"] == 1


async def test_a_large_photo_is_scaled_to_1280_pixels_when_uploaded(bot: Bot, anna: int) -> None:
    sent = await bot.send_photo(anna, picture(2000, 1000))
    assert [(p.width, p.height) for p in sent.photo or []][-2:] == [(800, 400), (1280, 640)]


async def test_a_photo_sent_again_by_its_id_is_the_same_picture_when_it_was_uploaded_before(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    first = await bot.send_photo(anna, picture(400, 300))
    assert first.photo is not None
    again = await bot.send_photo(anna, first.photo[-1].file_id)
    assert again.photo is not None
    assert again.photo[-1].file_unique_id == first.photo[-1].file_unique_id
    assert len(emu.photos_to(anna)) == 2


async def test_a_photo_is_refused_when_it_is_not_a_picture_or_too_thin(
    emu: Emulator, bot: Bot, anna: int
) -> None:
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(anna, BufferedInputFile(b"not a picture", filename="x.png"))
    with pytest.raises(TelegramBadRequest, match="PHOTO_INVALID_DIMENSIONS"):
        await bot.send_photo(anna, picture(2100, 100))
    assert emu.photos_to(anna) == [] and emu.messages_to(anna) == []


async def test_a_photos_caption_can_be_edited_when_it_was_sent_with_one(
    bot: Bot, anna: int
) -> None:
    sent = await bot.send_photo(anna, picture(200, 200), caption="alt")
    edited = await bot.edit_message_caption(chat_id=anna, message_id=sent.message_id, caption="neu")
    assert not isinstance(edited, bool) and edited.caption == "neu"
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("Neu", chat_id=anna, message_id=sent.message_id)
