"""Plain data kept by the emulator: users, chats, messages, events and counters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]

EventKind = Literal[
    "sent", "edited", "deleted", "user_message", "pressed", "answered", "typing", "blocked"
]


class ApiError(Exception):
    """A Bot API error answer; the HTTP status equals ``error_code`` as with Telegram."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class User:
    id: int
    first_name: str
    language_code: str = "de"
    username: str | None = None
    is_bot: bool = False

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    user: User | None = None
    next_message_id: int = 1

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.first_name
        return self.title or str(self.id)

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.username:
                data["username"] = self.user.username
        if self.title is not None:
            data["title"] = self.title
        return data


@dataclass
class Edit:
    """The state a message had before an edit replaced it."""

    text: str | None
    html: str | None
    reply_markup: JsonDict | None
    at: float


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request, as the client uploaded it."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredDocument:
    """A file Telegram keeps: what a Document object says of it, and its bytes for tests."""

    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    content: bytes

    def to_api(self) -> JsonDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None = None
    html: str | None = None  # the HTML source of the text, or of the caption
    entities: list[JsonDict] = field(default_factory=list)  # of the text, or of the caption
    reply_markup: JsonDict | None = None
    photo: list[JsonDict] | None = None  # PhotoSize objects, smallest first
    photo_file: StoredDocument | None = None  # the picture the bot uploaded, bytes included
    document: StoredDocument | None = None
    caption: str | None = None
    edits: list[Edit] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False

    @property
    def shown(self) -> str:
        """What a chat shows of the message, as text: its text, a photo, or a file and caption."""
        if self.document is not None:
            return "\n".join(filter(None, [f"📎 {self.document.file_name}", self.caption]))
        if self.photo is not None:
            return "\n".join(filter(None, ["📷 photo", self.caption]))
        return self.text or ""

    @property
    def inline_buttons(self) -> list[JsonDict]:
        """All inline buttons, row by row, as sent by the bot."""
        markup = self.reply_markup or {}
        rows: list[list[JsonDict]] = markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def button_texts(self) -> list[str]:
        markup = self.reply_markup or {}
        rows: list[list[Any]] = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b if isinstance(b, str) else str(b.get("text", "")) for row in rows for b in row]


@dataclass
class SendRecord:
    """One accepted sending call (sendMessage or an edit), for rate measurements."""

    method: str
    chat_id: int
    message_id: int
    at: float


@dataclass
class Event:
    """Something visible happened in a chat; fed to ``on_event`` and kept in ``emu.events``."""

    kind: EventKind
    chat_id: int
    chat_label: str
    text: str = ""
    buttons: list[str] = field(default_factory=list)
    message_id: int | None = None


@dataclass
class Stats:
    sent: int = 0
    edited: int = 0
    deleted: int = 0
    callback_answers: int = 0
    chat_actions: int = 0
    updates_queued: int = 0
    updates_delivered: int = 0
    get_updates_calls: int = 0
    webhook_posts: int = 0  # every POST of an update to the webhook, retries included
    webhook_failures: int = 0  # posts that got no 2xx: the update was posted again
    http_400: int = 0
    http_403: int = 0
    http_404: int = 0
    http_409: int = 0
    http_429: int = 0
    http_5xx: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    def count_error(self, error_code: int) -> None:
        name = "http_5xx" if error_code >= 500 else f"http_{error_code}"
        if hasattr(self, name):
            setattr(self, name, getattr(self, name) + 1)

    def as_dict(self) -> JsonDict:
        return asdict(self)


@dataclass
class CallbackRecord:
    """A button press the emulator sent, and the bot's answer once it arrives."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: JsonDict | None = None
