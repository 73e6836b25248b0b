"""The words for each admin action in the audit log (part of LABELS in labels.py)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from matching.status import AuditAction


def N_(message: str) -> str:
    return message


AUDIT_LABELS: Mapping[Enum, str] = {
    AuditAction.VOLUNTEER_APPROVED: N_("approved a volunteer"),
    AuditAction.VOLUNTEER_REJECTED: N_("rejected a volunteer"),
    AuditAction.LOTSE_SET: N_("made a volunteer a Lotse"),
    AuditAction.LOTSE_UNSET: N_("took the Lotse role away"),
    AuditAction.REQUEST_ASSIGNED: N_("assigned a request"),
    AuditAction.REQUEST_EXTENDED: N_("extended a request"),
    AuditAction.REQUEST_CLOSED: N_("closed a request"),
    AuditAction.ESCALATED_NOW: N_("moved a request on"),
    AuditAction.COORDINATOR_ADDED: N_("added a coordinator"),
    AuditAction.COORDINATOR_REMOVED: N_("removed a coordinator"),
    AuditAction.MEETING_CREATED: N_("created a meeting"),
    AuditAction.MEETING_EDITED: N_("changed a meeting"),
    AuditAction.MEETING_PAUSED: N_("paused a meeting"),
    AuditAction.MEETING_RESUMED: N_("resumed a meeting"),
    AuditAction.MEETING_SKIPPED: N_("skipped a meeting date"),
    AuditAction.MEETING_DELETED: N_("deleted a meeting"),
    AuditAction.ATTENDANCE_MARKED: N_("marked attendance"),
    AuditAction.PERSON_ERASED: N_("erased a person's data"),
    AuditAction.RETENTION_RUN: N_("deleted old data (daily)"),
    AuditAction.VOLUNTEER_BANNED: N_("banned a volunteer"),
    AuditAction.VOLUNTEER_UNBANNED: N_("lifted a volunteer's ban"),
    AuditAction.BROADCAST_SENT: N_("sent a broadcast"),
    AuditAction.BROADCAST_CANCELLED: N_("stopped a broadcast"),
}
