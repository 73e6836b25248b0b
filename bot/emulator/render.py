"""Human-readable renderings of emulator events, for the demo and for debugging."""

from __future__ import annotations

from bot.emulator.models import Event

_ARROWS = {
    "sent": "← bot",
    "edited": "← bot ✎",
    "deleted": "← bot 🗑",
    "answered": "← bot (toast)",
    "typing": "← bot …",
    "user_message": "→ bot",
    "pressed": "→ bot ▣",
    "blocked": "✕ bot",
}


def _shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 1].rstrip() + "…"


def format_event(event: Event, *, max_chars: int = 300) -> str:
    """One line per event (continuation lines indented), e.g.

    ``[Ehrenfeld seeker ← bot] Someone can help… [Accept] [Decline]``
    """
    head = f"[{event.chat_label} {_ARROWS.get(event.kind, event.kind)}]"
    if event.kind == "pressed":
        body = f"[{event.text}]"
    elif event.kind == "deleted":
        body = f"message #{event.message_id} deleted"
    else:
        # Event text is already the visible text Telegram would show, tags parsed away.
        body = _shorten(event.text, max_chars)
    buttons = "".join(f" [{label}]" for label in event.buttons)
    if event.kind == "deleted":
        buttons = ""
    indent = "\n" + " " * (len(head) + 1)
    return f"{head} {body.replace(chr(10), indent)}{buttons}"
