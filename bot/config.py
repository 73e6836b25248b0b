"""Settings read once from the environment (and `.env`) and passed down explicitly."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.notices import load_notices

DEFAULT_AREAS_FILE = Path(__file__).with_name("areas_koeln.toml")
DEFAULT_PRIVACY_DIR = Path(__file__).with_name("privacy")


def _packaged_locales() -> Path:
    """The catalogs compiled into the wheel (setup.py), else a source checkout's locales/."""
    packaged = Path(str(files("bot") / "locales"))
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "locales"


DEFAULT_LOCALES_DIR = _packaged_locales()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOTSE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    # The key of the volunteers' pseudonyms in exports (HMAC); by default derived from the token.
    pseudonym_key: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///lotse.db"
    # Coordinator Telegram user ids, comma separated in the environment.
    coordinators: Annotated[tuple[int, ...], NoDecode] = ()
    coordinator_chat_id: int | None = None
    timezone: str = "Europe/Berlin"
    default_locale: str = "de"
    locales_dir: Path = DEFAULT_LOCALES_DIR
    areas_file: Path = DEFAULT_AREAS_FILE
    # A local Bot API server or the emulator, e.g. http://127.0.0.1:8081
    telegram_api_url: str | None = None

    mode: Literal["polling", "webhook"] = "polling"
    webhook_base_url: str | None = None
    webhook_path: str = "/telegram/webhook"
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080

    # Matching
    offers_per_round: int = Field(default=3, ge=1, le=50)
    daily_offer_cap: int = Field(default=5, ge=1)
    description_max_chars: int = Field(default=1000, ge=50, le=3000)
    # Open requests one seeker may have at a time (LOTSE_MAX_OPEN_REQUESTS).
    max_open_requests: int = Field(default=3, ge=1)
    # Local hour of the evening before a dated request when both sides are reminded.
    assignment_reminder_hour: int = Field(default=18, ge=0, le=23)
    # Days after which a closed request loses its texts and its seeker (LOTSE_KEEP_CLOSED_DAYS).
    keep_closed_days: int = Field(default=90, ge=1)
    # The privacy notice at first contact (bot/notices.py): a folder with a text per language.
    privacy_notice: bool = True
    privacy_dir: Path = DEFAULT_PRIVACY_DIR

    # Escalation (minutes); "today" requests halve every wait.
    round_interval_minutes: float = Field(default=20, gt=0)
    tier0_rounds: int = Field(default=3, ge=1)
    lotse_wait_minutes: float = Field(default=120, gt=0)
    coordinator_repeat_minutes: float = Field(default=24 * 60, gt=0)
    coordinator_notices: int = Field(default=3, ge=1)
    urgent_factor: float = Field(default=0.5, gt=0, le=1)
    escalation_poll_seconds: float = Field(default=30, gt=0)

    # Outbox sender: Telegram's limits, as settings.
    send_rate_global: float = Field(default=30.0, gt=0)
    send_rate_per_chat: float = Field(default=1.0, gt=0)
    send_rate_group_per_minute: float = Field(default=20.0, gt=0)
    send_max_attempts: int = Field(default=5, ge=1)
    send_backoff_seconds: float = Field(default=2.0, ge=0)
    send_idle_poll_seconds: float = Field(default=5.0, gt=0)
    # A row claimed by a sender that died is sent again after this long.
    send_lease_seconds: float = Field(default=60.0, gt=0)
    # Network errors and 5xx are retried with pauses that double up to this, until the message
    # is stale; only Telegram's permanent refusals park a row.
    send_backoff_max_seconds: float = Field(default=300.0, gt=0)
    # An update's own answers are leased to the process that handles it for this long: after a
    # crash between commit and send, the loop delivers them once the lease has run out.
    answer_lease_seconds: float = Field(default=10.0, gt=0)
    # A broadcast's progress message is edited at most this often (the final count aside).
    broadcast_progress_seconds: float = Field(default=3.0, gt=0)
    # Flood guard: a person may send `flood_burst` updates at once, then `flood_rate` a second.
    flood_burst: int = Field(default=8, ge=1)
    flood_rate: float = Field(default=1.0, gt=0)

    # Logs: DEBUG, INFO, WARNING or ERROR; "json" writes one JSON object per line.
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # At start, Telegram is asked who the bot is; when it cannot be reached, it is asked again
    # this many times in all, the pauses doubling from this (1+2+4+8+16 s by default).
    telegram_connect_attempts: int = Field(default=6, ge=1)
    telegram_connect_backoff_seconds: float = Field(default=1.0, ge=0)

    @field_validator("privacy_dir")
    @classmethod
    def _has_notice(cls, value: Path) -> Path:
        load_notices(value)  # the one check of a notice folder: it raises a ValueError
        return value

    @field_validator("coordinators", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return tuple(_telegram_id(part) for part in parts if part)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(DATABASE_SCHEMES):
            raise ValueError("use sqlite+aiosqlite:///… or postgresql+asyncpg://…")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'"{value}" is not a time zone; e.g. Europe/Berlin') from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f'"{value}" is not a log level; use one of {", ".join(LOG_LEVELS)}')
        return level


DATABASE_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _telegram_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f'"{text}" is not a Telegram id; use numeric ids, e.g. 123456789 (send /id to the bot)'
        ) from None
