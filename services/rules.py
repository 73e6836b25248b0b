"""The deployment's rules, built once from the settings and handed to the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from matching.escalation import Policy


@dataclass(frozen=True)
class Rules:
    policy: Policy = field(default_factory=Policy)
    urgent_factor: float = 0.5
    default_daily_cap: int = 5
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Berlin"))
    coordinators: tuple[int, ...] = ()
    coordinator_chat_id: int | None = None
    default_locale: str = "de"
    send_max_attempts: int = 5
    # Open (or assigned) requests one seeker may have at a time.
    max_open_requests: int = 3
    # Local hour of the evening before a dated request when its volunteer and seeker are reminded.
    assignment_reminder_hour: int = 18
    # The key of the volunteers' pseudonyms in exports (matching/stats.py pseudonym).
    pseudonym_key: bytes = b"lotse"
    # Days after which a closed request loses its texts and its seeker (services/privacy).
    keep_closed_days: int = 90

    def policy_for(self, *, urgent: bool) -> Policy:
        return self.policy.urgent(self.urgent_factor) if urgent else self.policy
