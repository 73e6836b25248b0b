"""Run the emulator standalone and act as users from stdin.

``python -m bot.emulator --port 8081 --user 1:Anna`` then type lines such as
``1 /start`` (user 1 sends a message) or ``1 [Annehmen`` (user 1 presses a button whose label
contains the rest of the line). The transcript is printed as it happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading

from bot.emulator.emulator import Emulator
from bot.emulator.render import format_event
from bot.emulator.server import run_emulator


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--user", action="append", default=[], metavar="ID:NAME")
    parser.add_argument("--no-rate-limits", action="store_true")
    return parser.parse_args(argv)


async def _act(emu: Emulator, line: str) -> None:
    user_part, _, rest = line.strip().partition(" ")
    if not user_part.isdigit() or not rest:
        print("expected: <user_id> <text>  or  <user_id> [<button label part>", file=sys.stderr)
        return
    try:
        if rest.startswith("["):
            await emu.press_button(int(user_part), rest[1:].rstrip("]"))
        else:
            await emu.user_sends(int(user_part), rest)
    except (KeyError, LookupError) as err:
        print(err, file=sys.stderr)


async def _serve(args: argparse.Namespace) -> None:
    emu = Emulator(rate_limits=not args.no_rate_limits, on_event=lambda e: print(format_event(e)))
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        emu.add_user(int(user_id), name or f"user{user_id}")
    async with run_emulator(args.host, args.port, emulator=emu):
        print(f"Bot API emulator on {emu.base_url}", flush=True)
        lines = _stdin_lines()
        while (line := await lines.get()) is not None:
            await _act(emu, line)
        await asyncio.Event().wait()  # stdin closed: keep serving until interrupted


def _stdin_lines() -> asyncio.Queue[str | None]:
    """Feed stdin lines into a queue; ``None`` marks end of input.

    A daemon thread rather than the default executor, because a blocked ``readline`` in the
    executor would keep ``asyncio.run`` from returning after Ctrl-C.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in sys.stdin:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            loop.call_soon_threadsafe(queue.put_nowait, None)
        except RuntimeError:
            return  # the event loop is gone: the emulator was stopped

    threading.Thread(target=pump, daemon=True).start()
    return queue


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_parse_args(argv)))


if __name__ == "__main__":
    main()
