"""Which way a reader's text runs. Arabic and Farsi readers get messages that begin with a
right-to-left mark: Telegram takes a message's direction from its first strong letter, and a
message that opens with a Latin reference code or a name would otherwise run left to right."""

from __future__ import annotations

from aiogram.utils.i18n import I18n

from matching.text import isolate

RLM = "\u200f"  # RIGHT-TO-LEFT MARK
RIGHT_TO_LEFT = frozenset({"ar", "fa"})


def for_reader(text: str, locale: str | None) -> str:
    """The text as a reader of `locale` gets it: marked right to left where that is their
    direction, once (marking twice changes nothing)."""
    if locale not in RIGHT_TO_LEFT or text.startswith(RLM):
        return text
    return RLM + text


def quoted(text: str) -> str:
    """A person's free text inside a message of ours, each line isolated: an Arabic description
    in a German message (or a German one in an Arabic message) keeps its own direction and
    cannot turn the lines around it. Isolates end at a line break, so each line gets its own."""
    return "\n".join(isolate(line) if line.strip() else line for line in text.split("\n"))


def number(n: int) -> str:
    """A count inside a sentence: isolated for a right-to-left reader, so that the digits and
    the punctuation beside them keep their order; as it is for everyone else."""
    text = str(n)
    i18n = I18n.get_current(no_error=True)
    return isolate(text) if i18n is not None and i18n.current_locale in RIGHT_TO_LEFT else text
