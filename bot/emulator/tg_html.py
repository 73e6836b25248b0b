"""A strict parser for Telegram's HTML parse mode.

Modelled on tdlib's ``parse_html`` so that text the real Bot API would reject is rejected here
too, with similar error messages. It is stricter than Telegram in one respect, on purpose: a
bare ``&`` that does not start an entity is an error, because it almost always means user text
was interpolated without escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_RE = re.compile(r"[A-Za-z0-9_-]*")
_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z]{1,8});")
_UNQUOTED_VALUE_RE = re.compile(r"[^\s>\"'=<`]*")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is Telegram's wording."""


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    byte_offset: int
    utf16_start: int


@dataclass
class ParsedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_utf16 += utf16_len(chunk)

    def run(self) -> ParsedText:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "&":
                self.emit(self.read_entity())
            elif char == "<":
                self.read_tag()
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            name = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), self.entities)

    def read_entity(self) -> str:
        match = _ENTITY_RE.match(self.src, self.pos)
        decoded = _decode_entity(match.group(1)) if match else None
        if match is None or decoded is None:
            raise HtmlParseError(
                f"Character '&' at byte offset {self.byte_offset(self.pos)} does not start "
                "an entity; escape it as &amp;"
            )
        self.pos = match.end()
        return decoded

    def read_tag(self) -> None:
        start = self.pos
        self.pos += 1
        if self.src.startswith("/", self.pos):
            self.read_end_tag(start)
            return
        name = self.read_name().lower()
        if name not in _ENTITY_TYPES:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(start)}'
            )
        attrs = self.read_attributes(name, start)
        _check_attributes(name, attrs, self.byte_offset(start))
        self.stack.append(_OpenTag(name, attrs, self.byte_offset(start), self.out_utf16))

    def read_name(self) -> str:
        match = _NAME_RE.match(self.src, self.pos)
        assert match is not None  # the pattern accepts the empty string
        self.pos = match.end()
        return match.group(0)

    def skip_spaces(self) -> None:
        while self.pos < len(self.src) and self.src[self.pos].isspace():
            self.pos += 1

    def read_attributes(self, tag: str, start: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.pos >= len(self.src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
            if self.src[self.pos] == ">":
                self.pos += 1
                return attrs
            name = self.read_name().lower()
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(start)}"
                )
            self.skip_spaces()
            if not self.src.startswith("=", self.pos):
                attrs[name] = ""
                continue
            self.pos += 1
            self.skip_spaces()
            attrs[name] = self.read_attribute_value(start)

    def read_attribute_value(self, start: int) -> str:
        quote = self.src[self.pos : self.pos + 1]
        if quote in ("'", '"'):
            end = self.src.find(quote, self.pos + 1)
            if end < 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
            raw = self.src[self.pos + 1 : end]
            self.pos = end + 1
            return _decode_attribute(raw)
        match = _UNQUOTED_VALUE_RE.match(self.src, self.pos)
        assert match is not None  # the pattern accepts the empty string
        self.pos = match.end()
        return match.group(0)

    def read_end_tag(self, start: int) -> None:
        self.pos += 1
        name = self.read_name().lower()
        self.skip_spaces()
        offset = self.byte_offset(start)
        if not self.src.startswith(">", self.pos):
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset}")
        self.pos += 1
        if not self.stack:
            raise HtmlParseError(f'Unexpected end tag "{name}" at byte offset {offset}')
        top = self.stack[-1]
        if name != top.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        self.add_entity(top)

    def add_entity(self, tag: _OpenTag) -> None:
        length = self.out_utf16 - tag.utf16_start
        entity = _make_entity(tag, length)
        if length <= 0 or entity is None:
            return
        if entity["type"] == "code" and self.merge_into_pre(entity, tag):
            return
        self.entities.append(entity)

    def merge_into_pre(self, entity: dict[str, Any], tag: _OpenTag) -> bool:
        """``<pre><code class="language-x">`` is one pre entity with a language in Telegram."""
        parent = self.stack[-1] if self.stack else None
        if parent is None or parent.name != "pre" or parent.utf16_start != tag.utf16_start:
            return False
        language = tag.attrs.get("class", "").removeprefix("language-")
        if language:
            parent.attrs["language"] = language
        return True


def _decode_entity(body: str) -> str | None:
    if body.startswith("#"):
        is_hex = body[1:2] in ("x", "X")
        code = int(body[2:], 16) if is_hex else int(body[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code)
    return _NAMED_ENTITIES.get(body.lower())


def _decode_attribute(raw: str) -> str:
    parts: list[str] = []
    pos = 0
    for match in _ENTITY_RE.finditer(raw):
        decoded = _decode_entity(match.group(1))
        parts.append(raw[pos : match.start()])
        parts.append(decoded if decoded is not None else match.group(0))
        pos = match.end()
    parts.append(raw[pos:])
    return "".join(parts)


def _check_attributes(name: str, attrs: dict[str, str], offset: int) -> None:
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise HtmlParseError(f"Custom emoji identifier must be a number at byte offset {offset}")


def _make_entity(tag: _OpenTag, length: int) -> dict[str, Any] | None:
    entity_type = _ENTITY_TYPES[tag.name]
    entity: dict[str, Any] = {"type": entity_type, "offset": tag.utf16_start, "length": length}
    if entity_type == "text_link":
        url = tag.attrs.get("href", "")
        if not url:
            return None
        entity["url"] = url
    elif entity_type == "pre" and tag.attrs.get("language"):
        entity["language"] = tag.attrs["language"]
    elif entity_type == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif entity_type == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    return entity


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML into visible text plus UTF-16 based entities.

    Raises :class:`HtmlParseError` for anything the Bot API would answer with
    ``Bad Request: can't parse entities``.
    """
    return _Parser(source).run()


def trim(parsed: ParsedText) -> ParsedText:
    """Drop surrounding whitespace like Telegram does, keeping entities aligned."""
    text = parsed.text.strip()
    if text == parsed.text:
        return parsed
    lead = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    end = utf16_len(text)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, end)
        if stop > start:
            entities.append({**entity, "offset": start, "length": stop - start})
    return ParsedText(text, entities)
