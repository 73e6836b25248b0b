"""Bot API method handlers, answering the way Telegram does."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.emulator.files import FileStore, photo_sizes
from bot.emulator.models import ApiError, Chat, Edit, JsonDict, StoredMessage, bad_request
from bot.emulator.params import Params
from bot.emulator.profile import ProfileMethods
from bot.emulator.validation import parse_caption, parse_markup, parse_text
from bot.emulator.webhook import acceptable_url

if TYPE_CHECKING:
    from bot.emulator.emulator import Emulator

Handler = Callable[[Params], Awaitable[Any]]

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class BotApi(ProfileMethods):
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.files = FileStore()
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "deleteWebhook": self.delete_webhook,
            "setWebhook": self.set_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getMyCommands": self.get_my_commands,
            "setMyDescription": self.set_my_description,
            "getMyDescription": self.get_my_description,
            "setMyShortDescription": self.set_my_short_description,
            "getMyShortDescription": self.get_my_short_description,
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "editMessageCaption": self.edit_message_caption,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "getChat": self.get_chat,
        }
        self.methods = tuple(handlers)
        # Telegram matches method names case-insensitively; observers get the documented name.
        self._handlers = {name.lower(): (name, handler) for name, handler in handlers.items()}

    async def call(self, method: str, raw: Mapping[str, Any]) -> tuple[int, JsonDict]:
        """Run one API call; returns the HTTP status and the JSON body."""
        stats = self.emu.stats
        stats.calls[method] = stats.calls.get(method, 0) + 1
        try:
            name, handler = self._handlers.get(method.lower()) or (method, None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            fault = self.emu.faults.take(method)
            if fault is not None:
                raise fault
            result = await handler(Params(raw))
        except ApiError as err:
            stats.count_error(err.error_code)
            self.emu.signal.notify()
            return err.error_code, err.payload()
        for observe in self.emu.result_observers:
            observe(name, result)
        self.emu.signal.notify()
        return 200, {"ok": True, "result": result}

    # --- bot identity, updates, webhook (commands, descriptions: see profile.py) ------------

    async def get_me(self, params: Params) -> JsonDict:
        me = self.emu.store.bot.to_api()
        me.update(can_join_groups=True, can_read_all_group_messages=False)
        me["supports_inline_queries"] = False
        return me

    async def get_updates(self, params: Params) -> list[JsonDict]:
        if self.emu.webhook.url:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        self.emu.stats.get_updates_calls += 1
        queue = self.emu.updates
        queue.set_allowed(params.str_list("allowed_updates"))
        offset = params.get_int("offset", 0) or 0
        limit = params.get_int("limit", 100) or 100
        updates = await queue.get(offset, limit, float(params.get_int("timeout", 0) or 0))
        self.emu.stats.updates_delivered += len(updates)
        return updates

    async def delete_webhook(self, params: Params) -> bool:
        self.emu.webhook.set("", "")
        if params.flag("drop_pending_updates"):
            self.emu.updates.clear()
        return True

    async def set_webhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if url and not acceptable_url(url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.emu.webhook.set(url, params.get_str("secret_token") or "")
        if params.flag("drop_pending_updates"):
            self.emu.updates.clear()
        return True

    async def get_webhook_info(self, params: Params) -> JsonDict:
        url = self.emu.webhook.url
        return {
            "url": url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.emu.updates),
        }

    # --- messages ---------------------------------------------------------------------------

    def _target_chat(self, params: Params) -> Chat:
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        chat = self.emu.store.resolve_chat(params.raw("chat_id"))
        self.emu.store.check_not_blocked(chat)
        return chat

    def _check_rate(self, chat: Chat, *, new_message: bool = True) -> None:
        self.emu.limits.check(chat.id, is_group=chat.type != "private", new_message=new_message)

    def _accepted(
        self, method: str, chat: Chat, message: StoredMessage, *, new_message: bool = True
    ) -> None:
        self.emu.limits.record(chat.id, new_message=new_message)
        self.emu.record_send(method, message)

    async def send_message(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        parsed, html = parse_text(params, self.emu.max_message_length)
        message = self._new_message(chat, params)
        message.text, message.html, message.entities = parsed.text, html, parsed.entities
        return self._sent("sendMessage", chat, message)

    async def send_document(self, params: Params) -> JsonDict:
        return self._send_file("sendDocument", params, "document")

    async def send_photo(self, params: Params) -> JsonDict:
        return self._send_file("sendPhoto", params, "photo")

    def _send_file(self, method: str, params: Params, field: str) -> JsonDict:
        chat = self._target_chat(params)
        caption = parse_caption(params)
        stored = self.files.receive(params, field)
        sizes = photo_sizes(stored) if field == "photo" else None
        message = self._new_message(chat, params)
        if sizes is None:
            message.document = stored
        else:
            message.photo, message.photo_file = sizes, stored
        if caption is not None:
            parsed, message.html = caption
            message.caption, message.entities = parsed.text, parsed.entities
        return self._sent(method, chat, message)

    def _new_message(self, chat: Chat, params: Params) -> StoredMessage:
        """A new message of the bot's, once its keyboard and the flood limits allow it."""
        markup = parse_markup(params, self.emu.max_callback_data_bytes)
        self._check_rate(chat)
        message = self.emu.store.new_message(chat, from_bot=True, sender_id=self.emu.store.bot.id)
        message.reply_markup = markup
        return message

    def _sent(self, method: str, chat: Chat, message: StoredMessage) -> JsonDict:
        self._accepted(method, chat, message)
        self.emu.stats.sent += 1
        self.emu.emit_message("sent", message)
        return self.emu.store.message_to_api(message)

    def _editable(self, params: Params, chat: Chat) -> StoredMessage:
        if "inline_message_id" in params:
            raise bad_request("the emulator does not support inline messages")
        message = self.emu.store.find(chat.id, params.required_int("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(self, method: str, chat: Chat, message: StoredMessage) -> JsonDict:
        message.edit_date = int(time.time())
        self._accepted(method, chat, message, new_message=False)
        self.emu.stats.edited += 1
        self.emu.emit_message("edited", message)
        return self.emu.store.message_to_api(message)

    def _remember(self, message: StoredMessage) -> None:
        shown = message.text if message.text is not None else message.caption
        edit = Edit(shown, message.html, message.reply_markup, self.emu.clock())
        message.edits.append(edit)

    async def edit_message_text(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        message = self._editable(params, chat)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        parsed, html = parse_text(params, self.emu.max_message_length)
        # Omitting reply_markup removes the inline keyboard, exactly as on Telegram.
        markup = parse_markup(params, self.emu.max_callback_data_bytes)
        same = (message.text, message.entities) == (parsed.text, parsed.entities)
        if same and message.reply_markup == markup:
            raise bad_request(_NOT_MODIFIED)
        self._check_rate(chat, new_message=False)
        self._remember(message)
        message.text, message.html, message.entities = parsed.text, html, parsed.entities
        message.reply_markup = markup
        return self._apply_edit("editMessageText", chat, message)

    async def edit_message_caption(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        message = self._editable(params, chat)
        if message.document is None and message.photo is None:
            raise bad_request("there is no caption in the message to edit")
        parsed, html = parse_caption(params) or (None, None)
        markup = parse_markup(params, self.emu.max_callback_data_bytes)
        caption, entities = (parsed.text, parsed.entities) if parsed else (None, [])
        if (message.caption, message.entities, message.reply_markup) == (caption, entities, markup):
            raise bad_request(_NOT_MODIFIED)
        self._check_rate(chat, new_message=False)
        self._remember(message)
        message.caption, message.html, message.entities = caption, html, entities
        message.reply_markup = markup
        return self._apply_edit("editMessageCaption", chat, message)

    async def edit_message_reply_markup(self, params: Params) -> JsonDict:
        chat = self._target_chat(params)
        message = self._editable(params, chat)
        markup = parse_markup(params, self.emu.max_callback_data_bytes)
        if message.reply_markup == markup:
            raise bad_request(_NOT_MODIFIED)
        self._check_rate(chat, new_message=False)
        self._remember(message)
        message.reply_markup = markup
        return self._apply_edit("editMessageReplyMarkup", chat, message)

    async def delete_message(self, params: Params) -> bool:
        chat = self._target_chat(params)
        message = self.emu.store.find(chat.id, params.required_int("message_id"))
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        self.emu.stats.deleted += 1
        self.emu.emit_message("deleted", message)
        return True

    # --- callbacks, chat actions, chats -----------------------------------------------------

    async def answer_callback_query(self, params: Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        record = self.emu.callback_queries.get(query_id)
        if record is None or record.answer is not None:
            raise bad_request(_QUERY_INVALID)
        record.answer = {
            "text": params.get_str("text"),
            "show_alert": params.flag("show_alert"),
            "url": params.get_str("url"),
        }
        self.emu.stats.callback_answers += 1
        self.emu.emit_answer(record)
        return True

    async def send_chat_action(self, params: Params) -> bool:
        chat = self._target_chat(params)
        action = params.get_str("action")
        if not action:
            raise bad_request("action is empty")
        self.emu.stats.chat_actions += 1
        self.emu.emit_chat_action(chat, action)
        return True

    async def get_chat(self, params: Params) -> JsonDict:
        chat = self.emu.store.resolve_chat(params.raw("chat_id"))
        info = chat.to_api()
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        info["accepted_gift_types"] = dict.fromkeys((*gifts, "gifts_from_channels"), False)
        info.update(accent_color_id=0, max_reaction_count=11)
        return info
