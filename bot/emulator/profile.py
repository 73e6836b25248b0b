"""Bot API methods of the bot's profile: its command menus and descriptions per language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.emulator.models import JsonDict, bad_request
from bot.emulator.params import Params

if TYPE_CHECKING:
    from bot.emulator.emulator import Emulator


class ProfileMethods:
    """Part of :class:`~bot.emulator.methods.BotApi`, which sets ``emu``."""

    emu: Emulator

    def _commands_key(self, params: Params) -> str:
        scope = params.json_object("scope") or {"type": "default"}
        return (
            f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get_str('language_code', '')}"
        )

    async def set_my_commands(self, params: Params) -> bool:
        commands = params.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        self.emu.commands[self._commands_key(params)] = commands
        return True

    async def delete_my_commands(self, params: Params) -> bool:
        self.emu.commands.pop(self._commands_key(params), None)
        return True

    async def get_my_commands(self, params: Params) -> list[JsonDict]:
        return self.emu.commands.get(self._commands_key(params), [])

    # Telegram allows 512 characters for the description and 120 for the short one.
    async def set_my_description(self, params: Params) -> bool:
        return self._describe(params, "description", 512)

    async def set_my_short_description(self, params: Params) -> bool:
        return self._describe(params, "short_description", 120)

    async def get_my_description(self, params: Params) -> JsonDict:
        language = params.get_str("language_code") or ""
        return {"description": self.emu.descriptions.get(("description", language), "")}

    async def get_my_short_description(self, params: Params) -> JsonDict:
        language = params.get_str("language_code") or ""
        text = self.emu.descriptions.get(("short_description", language), "")
        return {"short_description": text}

    def _describe(self, params: Params, kind: str, limit: int) -> bool:
        text = params.get_str(kind, "") or ""
        if len(text) > limit:
            raise bad_request(f"{kind} is too long")
        self.emu.descriptions[(kind, params.get_str("language_code", "") or "")] = text
        return True
