"""Everything the emulator answered during the e2e tests, parsed with python-telegram-bot: an
independent model of the Bot API, so the emulator cannot drift from Telegram unnoticed.

The e2e conftest records every result of every emulator and runs this module last.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
import telegram
from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from PIL import Image

from bot.emulator import Emulator
from bot.emulator.methods import BotApi
from tests.e2e.conftest import ApiTraffic

USER = 701
GROUP = -1_000_701
BUTTON = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Weiter", callback_data="x")]]
)

Parser = Callable[[Any], object]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1080, 1080), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def one(kind: type[telegram.TelegramObject]) -> Parser:
    return lambda data: kind.de_json(data, None)


def many(kind: type[telegram.TelegramObject]) -> Parser:
    def parse(data: Any) -> object:
        assert isinstance(data, list), f"expected a list of {kind.__name__}"
        return [kind.de_json(item, None) for item in data]

    return parse


def true(data: Any) -> object:
    assert data is True, "expected true"
    return data


# The PTB type of each method's result: every method the emulator implements.
RESULT_TYPES: dict[str, Parser] = {
    "getMe": one(telegram.User),
    "getUpdates": many(telegram.Update),
    "deleteWebhook": true,
    "setWebhook": true,
    "getWebhookInfo": one(telegram.WebhookInfo),
    "setMyCommands": true,
    "deleteMyCommands": true,
    "getMyCommands": many(telegram.BotCommand),
    "setMyDescription": true,
    "getMyDescription": one(telegram.BotDescription),
    "setMyShortDescription": true,
    "getMyShortDescription": one(telegram.BotShortDescription),
    "sendMessage": one(telegram.Message),
    "sendDocument": one(telegram.Message),
    "sendPhoto": one(telegram.Message),
    "editMessageText": one(telegram.Message),
    "editMessageReplyMarkup": one(telegram.Message),
    "editMessageCaption": one(telegram.Message),
    "deleteMessage": true,
    "answerCallbackQuery": true,
    "sendChatAction": true,
    "getChat": one(telegram.ChatFullInfo),
}

# Every kind of update the emulator produces (see update_kind).
UPDATE_KINDS = frozenset(
    {
        "message.text",
        "message.command",
        "message.photo",
        "callback_query",
        "callback_query.inaccessible",
        "my_chat_member.kicked",
        "my_chat_member.member",
    }
)


def update_kind(update: telegram.Update) -> str:
    if update.message is not None:
        message = update.message
        if message.photo:
            return "message.photo"
        commands = [e for e in message.entities if e.type == telegram.MessageEntity.BOT_COMMAND]
        return "message.command" if commands else "message.text"
    if update.callback_query is not None:
        pressed = update.callback_query.message
        # PTB reads both as Message; an InaccessibleMessage is the one dated 0.
        accessible = pressed is not None and pressed.is_accessible
        return "callback_query" if accessible else "callback_query.inaccessible"
    if update.my_chat_member is not None:
        return f"my_chat_member.{update.my_chat_member.new_chat_member.status}"
    return "unknown"


def entities_outside(message: telegram.Message, path: str) -> list[str]:
    """Entities reaching past the text or caption; Telegram counts offsets in UTF-16 code
    units. A document's message has a caption and caption entities, never a text."""
    found = []
    for name, text, entities in (
        ("entities", message.text, message.entities),
        ("caption_entities", message.caption, message.caption_entities),
    ):
        length = len((text or "").encode("utf-16-le")) // 2
        found += [
            f"{path}.{name}: {entity.type} at {entity.offset}+{entity.length} of {length}"
            for entity in entities
            if entity.offset < 0 or entity.length <= 0 or entity.offset + entity.length > length
        ]
    return found


def problems(value: object, path: str) -> list[str]:
    """What PTB parsed but Telegram would not send: fields PTB does not know (it keeps them in
    api_kwargs), and entities outside their text."""
    if isinstance(value, list | tuple):
        return [p for i, inner in enumerate(value) for p in problems(inner, f"{path}[{i}]")]
    if not isinstance(value, telegram.TelegramObject):
        return []
    found = [f"{path}.{key}: unknown field" for key in value.api_kwargs]
    if isinstance(value, telegram.Message):
        found += entities_outside(value, path)
    for key, inner in value._get_attrs().items():
        found += problems(inner, f"{path}.{key}")
    return found


def parse(method: str, raw: str) -> object:
    parser = RESULT_TYPES.get(method)
    assert parser is not None, f"{method} is missing from RESULT_TYPES"
    try:
        parsed = parser(json.loads(raw))
    except Exception as err:
        pytest.fail(f"python-telegram-bot rejects the {method} result: {err!r}\n{raw}")
    wrong = problems(parsed, method)
    assert not wrong, f"the {method} result is not what Telegram sends: {wrong}\n{raw}"
    return parsed


async def test_the_calls_no_journey_makes_get_answers_when_a_real_client_makes_them(
    emu: Emulator, bot: Bot
) -> None:
    """The rest of what the emulator can answer, so that the checks below see all of it."""
    emu.add_user(USER, "Anna")
    emu.add_group(GROUP, "Koordination")
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert await bot.delete_my_commands()
    assert await bot.set_my_description("Hilfe", language_code="de")
    assert (await bot.get_my_description(language_code="de")).description == "Hilfe"
    assert await bot.set_my_short_description("Kurz", language_code="de")
    assert (await bot.get_my_short_description("de")).short_description == "Kurz"
    assert await bot.set_webhook("https://lotse.example/hook")
    assert (await bot.get_webhook_info()).url == "https://lotse.example/hook"
    assert await bot.delete_webhook()
    sent = await bot.send_message(USER, "Hallo", reply_markup=BUTTON)
    ics = BufferedInputFile(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", filename="treffen.ics")
    document = await bot.send_document(USER, ics, caption="<b>Treffen</b>", reply_markup=BUTTON)
    assert document.document is not None and document.document.file_name == "treffen.ics"
    chart = BufferedInputFile(PNG, filename="weeks.png")
    photo = await bot.send_photo(USER, chart, caption="<b>Woche</b>", reply_markup=BUTTON)
    assert photo.photo is not None and photo.photo[-1].width == 1080
    edited = await bot.edit_message_caption(
        chat_id=USER, message_id=document.message_id, caption="<i>Treffen</i>"
    )
    assert isinstance(edited, Message) and edited.caption == "Treffen"
    assert await bot.send_chat_action(USER, "typing")
    assert (await bot.get_chat(USER)).type == "private"
    assert (await bot.get_chat(GROUP)).type == "group"
    await emu.user_sends_photo(USER)
    await emu.user_sends(USER, "hallo", chat_id=GROUP)
    assert await bot.delete_message(USER, sent.message_id)
    await emu.press(USER, sent.message_id, "x", strict=False)
    await emu.block(USER)
    emu.unblock(USER)
    kinds = [update.event_type for update in await bot.get_updates()]
    assert kinds == ["message", "message", "callback_query", "my_chat_member", "my_chat_member"]


def test_every_result_the_emulator_gave_parses_when_read_by_python_telegram_bot(
    api_traffic: ApiTraffic,
) -> None:
    for method, raw in api_traffic.results:
        parse(method, raw)


def test_the_check_knows_a_result_type_for_every_method_when_the_emulator_gains_one() -> None:
    assert sorted(RESULT_TYPES) == sorted(BotApi(Emulator()).methods)


CHAT = {"id": 1, "type": "private"}
DOCUMENT = {"file_id": "f", "file_unique_id": "u", "file_name": "a.ics"}


@pytest.mark.parametrize(
    ("method", "result"),
    [
        ("sendMessage", {"message_id": 1, "chat": CHAT, "text": "a"}),
        ("sendMessage", {"message_id": 1, "date": 1, "chat": CHAT, "txt": "a"}),
        (
            "sendMessage",
            {
                "message_id": 1,
                "date": 1,
                "chat": CHAT,
                "text": "😀a",
                "entities": [{"type": "bold", "offset": 2, "length": 2}],
            },
        ),
        (
            "sendDocument",
            {
                "message_id": 1,
                "date": 1,
                "chat": CHAT,
                "document": DOCUMENT,
                "caption": "ab",
                "caption_entities": [{"type": "bold", "offset": 1, "length": 2}],
            },
        ),
        ("sendDocument", {"message_id": 1, "date": 1, "chat": CHAT, "document": {"file_id": "f"}}),
        (
            "sendDocument",
            {"message_id": 1, "date": 1, "chat": CHAT, "document": DOCUMENT | {"x": 1}},
        ),
        (
            "sendPhoto",
            {"message_id": 1, "date": 1, "chat": CHAT, "photo": [{"file_id": "f", "width": 1}]},
        ),
        ("getMe", {"id": 1, "first_name": "Lotse"}),
        ("deleteMessage", {"ok": True}),
    ],
)
def test_the_check_fails_when_a_result_is_not_what_telegram_sends(
    method: str, result: object
) -> None:
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        parse(method, json.dumps(result))


def whole_e2e_suite_ran(request: pytest.FixtureRequest) -> bool:
    e2e = Path(__file__).parent
    modules = {item.path for item in request.session.items}
    return all(path in modules for path in e2e.glob("test_*.py"))


def test_the_e2e_suite_covers_every_result_and_update_kind_when_it_runs_whole(
    api_traffic: ApiTraffic, request: pytest.FixtureRequest
) -> None:
    if not whole_e2e_suite_ran(request):
        pytest.skip("only a part of tests/e2e ran; coverage is checked over all of it")
    methods = {method for method, _ in api_traffic.results}
    batches = [parse(method, raw) for method, raw in api_traffic.results if method == "getUpdates"]
    updates = {update_kind(u) for batch in batches for u in cast(list[telegram.Update], batch)}
    assert set(RESULT_TYPES) - methods == set(), "methods whose results no e2e test saw"
    assert UPDATE_KINDS - updates == set(), "update kinds no e2e test saw"
    assert updates <= UPDATE_KINDS, "update kinds the test does not know"
