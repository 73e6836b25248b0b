"""HTTP front of the emulator: the Bot API URL scheme on a loopback aiohttp server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from bot.emulator.emulator import Emulator
from bot.emulator.models import Upload

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
_EMULATOR_KEY = web.AppKey("emulator", Emulator)


def _error(status: int, description: str) -> web.Response:
    body = {"ok": False, "error_code": status, "description": description}
    return web.json_response(body, status=status)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Merge query string and body; an uploaded file becomes an Upload under its part's name
    (aiogram names it at random and passes ``attach://<name>`` as the parameter)."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        params.update(body)
    elif request.content_type in _FORM_TYPES:
        form = await request.post()
        params.update({key: _form_value(value) for key, value in form.items()})
    return params


async def _handle(request: web.Request) -> web.Response:
    emu = request.app[_EMULATOR_KEY]
    try:
        params = await _read_params(request)
    except ValueError as err:  # json.JSONDecodeError is a ValueError too
        return _error(400, f"Bad Request: can't parse request body: {err}")
    if emu.latency > 0:
        await asyncio.sleep(emu.latency)
    await emu.wait_while_held(_chat_id(params), request.transport)
    if request.transport is None or request.transport.is_closing():
        return _error(499, "client gone")  # nobody is listening; Telegram never saw it
    status, body = await emu.call(request.match_info["method"], params)
    return web.json_response(body, status=status)


def _form_value(value: str | bytes | bytearray | web.FileField) -> str | Upload:
    if isinstance(value, web.FileField):
        return Upload(value.filename, value.content_type, value.file.read())
    return value if isinstance(value, str) else bytes(value).decode()


def _chat_id(params: dict[str, Any]) -> int:
    try:
        return int(params.get("chat_id", 0))
    except (TypeError, ValueError):
        return 0


def build_app(emu: Emulator) -> web.Application:
    app = web.Application(client_max_size=50 * 1024**2)
    app[_EMULATOR_KEY] = emu
    app.router.add_post("/bot{token}/{method}", _handle)
    app.router.add_get("/bot{token}/{method}", _handle)
    return app


@asynccontextmanager
async def run_emulator(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    emulator: Emulator | None = None,
    **options: Any,
) -> AsyncIterator[Emulator]:
    """Serve an emulator on ``host:port`` (0 picks a free port) for the ``async with`` body.

    ``options`` go to :class:`Emulator` (limits, ``on_event``…) unless ``emulator`` is given.
    ``emu.base_url`` is set once the server listens.
    """
    if host not in _LOOPBACK:
        raise ValueError(f"the emulator only listens on loopback, not {host!r}")
    emu = emulator if emulator is not None else Emulator(**options)
    # A short shutdown timeout: the emulator releases its long polls itself on exit.
    runner = web.AppRunner(build_app(emu), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        emu.base_url = f"http://{'[::1]' if ':' in bound_host else bound_host}:{bound_port}"
        yield emu
    finally:
        emu.close()
        await emu.webhook.stop()
        await runner.cleanup()
