"""Writes of the audits app. Every function is atomic and writes its audit-trail row."""

from audits.services.actions import action_create, action_update, action_verify
from audits.services.audits import (
    AuditLocked,
    audit_create,
    audit_scope_requirements,
    audit_transition,
    audit_update,
    check_record,
)
from audits.services.findings import finding_create, finding_update
from audits.services.reminders import action_reminders_send

__all__ = [
    "AuditLocked",
    "action_create",
    "action_reminders_send",
    "action_update",
    "action_verify",
    "audit_create",
    "audit_scope_requirements",
    "audit_transition",
    "audit_update",
    "check_record",
    "finding_create",
    "finding_update",
]
