"""Checks Telegram applies to outgoing text and keyboards, with its error wording."""

from __future__ import annotations

from typing import Any

from bot.emulator.models import JsonDict, bad_request
from bot.emulator.params import Params
from bot.emulator.tg_html import HtmlParseError, ParsedText, parse_html, trim

MAX_CAPTION = 1024  # characters after entity parsing, like a message's 4096
# A button needs exactly one action besides its label; these are the inline ones Telegram knows.
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def parse_text(params: Params, max_length: int) -> tuple[ParsedText, str | None]:
    """Return the visible text with entities, and the HTML source if HTML mode was used."""
    text = params.get_str("text")
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    parsed, html = _parse(params, text, "entities")
    if not parsed.text:
        raise bad_request("message text is empty")
    # Telegram counts characters after entity parsing, so markup does not use up the limit.
    if len(parsed.text) > max_length:
        raise bad_request("message is too long")
    return parsed, html


def parse_caption(params: Params) -> tuple[ParsedText, str | None] | None:
    """A media message's caption like a text (None without one); at most 1024 characters."""
    caption = params.get_str("caption")
    if not caption:
        return None
    parsed, html = _parse(params, caption, "caption_entities")
    if not parsed.text:
        return None
    if len(parsed.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return parsed, html


def _parse(params: Params, text: str, entities_key: str) -> tuple[ParsedText, str | None]:
    mode = (params.get_str("parse_mode") or "").lower()
    if mode == "html":
        try:
            return trim(parse_html(text)), text
        except HtmlParseError as err:
            raise bad_request(f"can't parse entities: {err}") from None
    if mode == "":
        entities = params.get_json(entities_key) or []
        return trim(ParsedText(text, list(entities))), None
    raise bad_request(f"unsupported parse_mode {mode!r}; the emulator only parses HTML")


def parse_markup(params: Params, max_callback_bytes: int) -> JsonDict | None:
    markup = params.json_object("reply_markup")
    if markup is None:
        return None
    rows = markup.get("inline_keyboard")
    if rows is not None:
        _check_inline_keyboard(rows, max_callback_bytes)
    return markup


def _check_inline_keyboard(rows: Any, max_callback_bytes: int) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    for row in rows:
        for button in row:
            _check_inline_button(button, max_callback_bytes)


def _check_inline_button(button: Any, max_callback_bytes: int) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= max_callback_bytes:
        raise bad_request("BUTTON_DATA_INVALID")
