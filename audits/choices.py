"""Stable codes of audits, checks, findings and remediation actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    FLASH = "flash", _("Flash audit")
    INTERNAL = "internal", _("Internal audit")
    CERTIFICATION_READINESS = "certification_readiness", _("Certification readiness")
    SUPPLIER = "supplier", _("Supplier audit")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    FIELDWORK = "fieldwork", _("Fieldwork")
    REPORTING = "reporting", _("Reporting")
    CLOSED = "closed", _("Closed")


# planned → fieldwork → reporting → closed; one step back is allowed before closing
# (an interview moved, a point to re-examine), closing is final.
AUDIT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    AuditStatus.PLANNED: (AuditStatus.FIELDWORK,),
    AuditStatus.FIELDWORK: (AuditStatus.PLANNED, AuditStatus.REPORTING),
    AuditStatus.REPORTING: (AuditStatus.FIELDWORK, AuditStatus.CLOSED),
    AuditStatus.CLOSED: (),
}


class CheckResult(models.TextChoices):
    """The scale French auditors use (codes in French, as written in audit reports)."""

    NON_EVALUE = "non_evalue", _("Not assessed")
    CONFORME = "conforme", _("Conforming")
    NC_MAJEURE = "non_conformite_majeure", _("Major nonconformity")
    NC_MINEURE = "non_conformite_mineure", _("Minor nonconformity")
    OBSERVATION = "observation", _("Observation")
    PISTE_DE_PROGRES = "piste_de_progres", _("Opportunity for improvement")


# The English label shown beside the French one whatever the interface language.
CHECK_RESULT_ENGLISH = {
    CheckResult.NON_EVALUE: "Not assessed",
    CheckResult.CONFORME: "Conforming",
    CheckResult.NC_MAJEURE: "Major nonconformity",
    CheckResult.NC_MINEURE: "Minor nonconformity",
    CheckResult.OBSERVATION: "Observation",
    CheckResult.PISTE_DE_PROGRES: "Opportunity for improvement",
}


class FindingSeverity(models.TextChoices):
    MAJOR = "major", _("Major nonconformity")
    MINOR = "minor", _("Minor nonconformity")
    OBSERVATION = "observation", _("Observation")
    OPPORTUNITY = "opportunity", _("Opportunity for improvement")


# A result that is neither "conforming" nor "not assessed" is a finding of this severity.
RESULT_SEVERITY: dict[str, str] = {
    CheckResult.NC_MAJEURE: FindingSeverity.MAJOR,
    CheckResult.NC_MINEURE: FindingSeverity.MINOR,
    CheckResult.OBSERVATION: FindingSeverity.OBSERVATION,
    CheckResult.PISTE_DE_PROGRES: FindingSeverity.OPPORTUNITY,
}


class FindingSource(models.TextChoices):
    AUDIT = "audit", _("Audit")
    INCIDENT = "incident", _("Incident")
    RISK = "risk", _("Risk assessment")
    OTHER = "other", _("Other")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    # The check it came from was re-assessed as conforming (or not assessed): kept, with
    # its history, but no longer counted.
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# The documented rule: a major nonconformity calls for high priority, a minor one for
# medium, an observation or an opportunity for improvement for low. Overriding it needs
# a written reason.
SEVERITY_PRIORITY: dict[str, str] = {
    FindingSeverity.MAJOR: Priority.HIGH,
    FindingSeverity.MINOR: Priority.MEDIUM,
    FindingSeverity.OBSERVATION: Priority.LOW,
    FindingSeverity.OPPORTUNITY: Priority.LOW,
}


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")


# open → in_progress → done → verified; "done" may go back to "in progress" when the
# verifier finds the work incomplete. "verified" goes through action_verify only.
ACTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ActionStatus.OPEN: (ActionStatus.IN_PROGRESS, ActionStatus.DONE),
    ActionStatus.IN_PROGRESS: (ActionStatus.OPEN, ActionStatus.DONE),
    ActionStatus.DONE: (ActionStatus.IN_PROGRESS,),
    ActionStatus.VERIFIED: (),
}
ACTION_OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
