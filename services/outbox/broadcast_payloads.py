"""The payloads of a broadcast (services/broadcasts.py): the message each volunteer gets, and
the coordinator's progress message. Part of the registry in services/outbox/payloads.py."""

from __future__ import annotations

from typing import ClassVar

from matching.status import BroadcastStatus
from services.outbox.codec import personal, record
from services.outbox.payloads import Notice, Payload


@record
class BroadcastMessage(Payload):
    """A coordinator's message to volunteers, as they wrote it."""

    kind: ClassVar[Notice] = Notice.BROADCAST
    broadcast_id: int
    text: str = personal()


@record
class BroadcastProgress(Payload):
    """The coordinator's view of a broadcast under way, or its final count."""

    kind: ClassVar[Notice] = Notice.BROADCAST_PROGRESS
    broadcast_id: int
    total: int
    sent: int
    failed: int
    left: int  # still to send
    not_sent: int  # cancelled before they went out
    state: BroadcastStatus
