"""The kinds of pushed message. The outbox stores a kind and a payload; handlers/render.py turns
them into text in the reader's language when the message is sent."""

from __future__ import annotations

import enum


class Notice(enum.StrEnum):
    # The answer to what a person just did, already rendered: the payload is the Bot API call.
    ANSWER = "api_call"
    OFFER = "offer"
    OFFER_TAKEN = "offer_taken"
    OFFER_WITHDRAWN = "offer_withdrawn"
    SEEKER_MATCHED = "seeker_matched"
    SEEKER_RELEASED = "seeker_released"
    SEEKER_DONE = "seeker_done"
    SEEKER_LOTSEN = "seeker_lotsen"
    SEEKER_COORDINATOR = "seeker_coordinator"
    SEEKER_CLOSED = "seeker_closed"
    VOLUNTEER_ASSIGNED = "volunteer_assigned"
    VOLUNTEER_CANCELLED = "volunteer_cancelled"
    APPROVAL_REQUEST = "approval_request"
    APPROVAL_DONE = "approval_done"
    VOLUNTEER_APPROVED = "volunteer_approved"
    VOLUNTEER_REJECTED = "volunteer_rejected"
    COORDINATOR_ESCALATION = "coordinator_escalation"
    COORDINATOR_SEND_FAILED = "coordinator_send_failed"
