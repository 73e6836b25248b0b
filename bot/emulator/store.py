"""Users, chats and per-chat transcripts."""

from __future__ import annotations

import time

from bot.emulator.models import ApiError, Chat, JsonDict, StoredMessage, User, bad_request

# Telegram gives supergroups ids below -10**12 (the "-100…" prefix); ordinary groups are small.
_SUPERGROUP_BELOW = -(10**12)


class ChatStore:
    def __init__(self, bot: User) -> None:
        self.bot = bot
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, list[StoredMessage]] = {}
        self.blocked: set[int] = set()

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        self._add_chat(Chat(id=user.id, type="private", user=user))
        return user

    def add_group(self, chat_id: int, title: str) -> Chat:
        if chat_id >= 0:
            raise ValueError(f"group chat ids are negative in Telegram, got {chat_id}")
        kind = "supergroup" if chat_id < _SUPERGROUP_BELOW else "group"
        return self._add_chat(Chat(id=chat_id, type=kind, title=title))

    def _add_chat(self, chat: Chat) -> Chat:
        self.chats[chat.id] = chat
        self.messages.setdefault(chat.id, [])
        return chat

    def user(self, user_id: int) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise KeyError(f"unknown user {user_id}; call emu.add_user() first") from None

    def chat(self, chat_id: int) -> Chat:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise KeyError(f"unknown chat {chat_id}; add_user()/add_group() first") from None

    def resolve_chat(self, raw: object) -> Chat:
        """Find the chat a Bot API call addresses, by id or ``@username``."""
        if isinstance(raw, str) and raw.startswith("@"):
            for chat in self.chats.values():
                if chat.user is not None and chat.user.username == raw[1:]:
                    return chat
            raise bad_request("chat not found")
        try:
            chat_id = int(str(raw))
        except ValueError:
            raise bad_request("chat_id is empty" if not raw else "chat not found") from None
        found = self.chats.get(chat_id)
        if found is None:
            raise bad_request("chat not found")
        return found

    def check_not_blocked(self, chat: Chat) -> None:
        if chat.user is not None and chat.user.id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def new_message(self, chat: Chat, *, from_bot: bool, sender_id: int) -> StoredMessage:
        message = StoredMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            from_bot=from_bot,
            sender_id=sender_id,
            date=int(time.time()),
        )
        chat.next_message_id += 1
        self.messages[chat.id].append(message)
        return message

    def find(self, chat_id: int, message_id: int) -> StoredMessage | None:
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def transcript(self, chat_id: int) -> list[StoredMessage]:
        self.chat(chat_id)
        return list(self.messages[chat_id])

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        return [m for m in self.messages.get(chat_id, []) if m.from_bot and not m.deleted]

    def newest_button(self, chat_id: int, text_substring: str) -> tuple[StoredMessage, JsonDict]:
        for message in reversed(self.bot_messages(chat_id)):
            for button in message.inline_buttons:
                if text_substring in str(button.get("text", "")) and "callback_data" in button:
                    return message, button
        raise LookupError(
            f"no inline button containing {text_substring!r} in chat {chat_id}; "
            f"transcript:\n{self.describe(chat_id)}"
        )

    def sender(self, message: StoredMessage) -> User:
        return self.bot if message.from_bot else self.users[message.sender_id]

    def message_to_api(self, message: StoredMessage) -> JsonDict:
        data: JsonDict = {
            "message_id": message.message_id,
            "from": self.sender(message).to_api(),
            "chat": self.chats[message.chat_id].to_api(),
            "date": message.date,
        }
        if message.text is not None:
            data["text"] = message.text
        if message.photo is not None:
            data["photo"] = message.photo
        if message.document is not None:
            data["document"] = message.document.to_api()
        if message.caption is not None:
            data["caption"] = message.caption
        if message.entities:
            data["caption_entities" if message.caption is not None else "entities"] = (
                message.entities
            )
        # Telegram only echoes inline keyboards back inside Message objects.
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        return data

    def describe(self, chat_id: int, last: int = 15) -> str:
        """A plain-text transcript tail, for error messages."""
        lines: list[str] = []
        chat = self.chats.get(chat_id)
        for message in self.messages.get(chat_id, [])[-last:]:
            who = "bot" if message.from_bot else (chat.label if chat else str(message.sender_id))
            body = message.shown
            flags = " (deleted)" if message.deleted else ""
            buttons = "".join(f" [{text}]" for text in message.button_texts)
            lines.append(f"  #{message.message_id} {who}{flags}: {body}{buttons}")
        return "\n".join(lines) or "  (no messages)"
