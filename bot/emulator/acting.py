"""The updates a user's actions produce, as Telegram sends them to the bot."""

from __future__ import annotations

import time

from bot.emulator.models import CallbackRecord, JsonDict, StoredMessage, User
from bot.emulator.store import ChatStore


def photo_sizes(unique: str) -> list[JsonDict]:
    """A photo as Telegram offers it: the same picture in two sizes."""
    return [
        {
            "file_id": f"photo-{size}-{unique}",
            "file_unique_id": f"{size}{unique}",
            "width": px,
            "height": px,
        }
        for size, px in (("s", 90), ("m", 800))
    ]


def callback_query(
    store: ChatStore, record: CallbackRecord, user: User, message: StoredMessage | None
) -> JsonDict:
    chat = store.chat(record.chat_id)
    # A press on a deleted message reaches the bot as an InaccessibleMessage (date 0).
    inaccessible = {"chat": chat.to_api(), "message_id": record.message_id, "date": 0}
    return {
        "id": record.id,
        "from": user.to_api(),
        "message": store.message_to_api(message) if message else inaccessible,
        "chat_instance": str(chat.id * 7919),
        "data": record.data,
    }


def button_with_data(message: StoredMessage | None, data: str) -> JsonDict | None:
    buttons = message.inline_buttons if message else []
    return next((b for b in buttons if b.get("callback_data") == data), None)


def member_update(store: ChatStore, user: User, old: str, new: str) -> JsonDict:
    """The bot's membership in a private chat changed: blocked ("kicked") or unblocked."""
    bot = store.bot.to_api()

    def member(status: str) -> JsonDict:
        # Telegram's ChatMemberBanned always carries until_date (0: forever).
        return {"user": bot, "status": status} | ({"until_date": 0} if status == "kicked" else {})

    return {
        "chat": store.chat(user.id).to_api(),
        "from": user.to_api(),
        "date": int(time.time()),
        "old_chat_member": member(old),
        "new_chat_member": member(new),
    }
