"""Findings: raised from a check's result, or by hand (incident lessons, risk review).

What happens when a result changes (the documented rule):
- a check judged a nonconformity, an observation or an opportunity for improvement gets
  one finding, created automatically, of the matching severity;
- if the result moves to another of those, the same finding changes severity (its
  actions' priorities follow unless they were overridden with a reason);
- if the result moves back to "conforming" or "not assessed", the finding is not deleted
  (it may already have actions and it is part of the audit's history): it becomes
  ``withdrawn`` and drops out of the open findings; judged again as a nonconformity, the
  same finding reopens.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audits.choices import (
    RESULT_SEVERITY,
    SEVERITY_PRIORITY,
    FindingSeverity,
    FindingSource,
    FindingStatus,
)
from audits.models import AuditCheck, Finding, RemediationAction
from audits.services.audits import lock_audit
from compliance.models import Organisation
from compliance.services.audit_trail import Actor, actor_label, audit_event_record, diff, snapshot
from controls.models import Requirement

FINDING_FIELDS = ("title", "description", "severity", "root_cause", "status", "requirement")


def _next_number(organisation: Organisation) -> int:
    # The organisation row lock serialises numbering: two findings raised at once get
    # n and n+1, never the same number.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    last = Finding.objects.filter(organisation=organisation).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def finding_create(
    *,
    actor: Actor,
    organisation: Organisation,
    title: str,
    description: str = "",
    severity: str,
    requirement: Requirement | None = None,
    check: AuditCheck | None = None,
    source: str | None = None,
    root_cause: str = "",
    evidence: Iterable[Any] = (),
) -> Finding:
    """Raise a finding. ``check`` ties it to an audit (and its lock); without one it
    stands alone, e.g. a lesson from an incident (``source="incident"``)."""
    if severity not in FindingSeverity.values:
        raise ValidationError({"severity": _("Unknown severity.")})
    source = source or (FindingSource.AUDIT if check is not None else FindingSource.OTHER)
    if source not in FindingSource.values:
        raise ValidationError({"source": _("Unknown source.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the finding a title.")})
    items = list(evidence)
    if any(item.organisation_id != organisation.pk for item in items):
        raise ValidationError({"evidence": _("Evidence of another organisation.")})
    with transaction.atomic():
        audit = None
        if check is not None:
            audit = lock_audit(check.audit)
            if audit.organisation_id != organisation.pk:
                raise ValidationError({"check": _("This check belongs to another organisation.")})
            if Finding.objects.filter(audit_check=check).exists():
                raise ValidationError({"check": _("This check already has a finding.")})
            requirement = requirement or check.requirement
        finding = Finding(
            organisation=organisation,
            number=_next_number(organisation),
            source=source,
            audit=audit,
            audit_check=check,
            requirement=requirement,
            title=title.strip()[:300],
            description=description,
            severity=severity,
            root_cause=root_cause,
            created_by_label=actor_label(actor)[:254],
        )
        finding.save()
        if items:
            finding.evidence.set(items)
        audit_event_record(
            actor=actor,
            organisation=organisation,
            action="audits.finding_create",
            target=finding,
            changes={
                **{k: [None, v] for k, v in snapshot(finding, FINDING_FIELDS).items()},
                "number": [None, finding.number],
                "source": [None, source],
                "audit": [None, audit.pk if audit else None],
                "check": [None, check.pk if check else None],
            },
        )
    return finding


def _follow_severity(actor: Actor, finding: Finding) -> None:
    """Actions whose priority was never overridden take the new severity's priority."""
    priority = SEVERITY_PRIORITY[finding.severity]
    for action in finding.actions.filter(priority_override_reason="").exclude(priority=priority):
        old = action.priority
        action.priority = priority
        action.save(update_fields=["priority", "updated_at"])
        audit_event_record(
            actor=actor,
            organisation=finding.organisation,
            action="audits.action_update",
            target=action,
            changes={"priority": [old, priority]},
        )


def finding_sync_from_check(*, actor: Actor, check: AuditCheck) -> Finding | None:
    """Keep the check's finding in step with its result (rule in the module docstring).
    Runs inside ``check_record``'s transaction."""
    severity = RESULT_SEVERITY.get(check.result)
    finding = Finding.objects.filter(audit_check=check).first()
    if finding is None:
        if severity is None:
            return None
        requirement = check.requirement
        return finding_create(
            actor=actor,
            organisation=check.audit.organisation,
            title=f"{requirement.ref_id} {requirement.title}",
            description=check.notes,
            severity=severity,
            requirement=requirement,
            check=check,
            source=FindingSource.AUDIT,
        )
    before = snapshot(finding, FINDING_FIELDS)
    if severity is None:
        if finding.status == FindingStatus.OPEN:
            finding.status = FindingStatus.WITHDRAWN
    else:
        finding.severity = severity
        if finding.status == FindingStatus.WITHDRAWN:
            finding.status = FindingStatus.OPEN
        if not finding.description and check.notes:
            finding.description = check.notes
    changes = diff(before, snapshot(finding, FINDING_FIELDS))
    if changes:
        finding.save()
        audit_event_record(
            actor=actor,
            organisation=finding.organisation,
            action="audits.finding_update",
            target=finding,
            changes={**changes, "reason": [None, "check result changed"]},
        )
        if "severity" in changes:
            _follow_severity(actor, finding)
    return finding


def finding_update(
    *, actor: Actor, finding: Finding, evidence: Iterable[Any] | None = None, **fields: Any
) -> Finding:
    """Edit a finding's wording, severity, root cause, requirement or evidence. Refused
    once its audit is closed."""
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise TypeError(f"finding_update does not change {sorted(unknown)}")
    if "severity" in fields and fields["severity"] not in FindingSeverity.values:
        raise ValidationError({"severity": _("Unknown severity.")})
    if "status" in fields and fields["status"] not in FindingStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    with transaction.atomic():
        # Audit first, then the finding: the same order as check_record, so two writers
        # never wait on each other's lock (no deadlock on PostgreSQL).
        audit = lock_audit(finding.audit) if finding.audit_id is not None else None  # type: ignore[arg-type]
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        finding.audit = audit
        before = snapshot(finding, FINDING_FIELDS)
        for key, value in fields.items():
            setattr(finding, key, value)
        if not finding.title.strip():
            raise ValidationError({"title": _("Give the finding a title.")})
        changes: dict[str, Any] = diff(before, snapshot(finding, FINDING_FIELDS))
        if evidence is not None:
            items = list(evidence)
            if any(item.organisation_id != finding.organisation_id for item in items):
                raise ValidationError({"evidence": _("Evidence of another organisation.")})
            old = sorted(finding.evidence.values_list("pk", flat=True))
            new = sorted(item.pk for item in items)
            if old != new:
                finding.evidence.set(items)
                changes["evidence"] = [old, new]
        if changes:
            finding.save()
            audit_event_record(
                actor=actor,
                organisation=finding.organisation,
                action="audits.finding_update",
                target=finding,
                changes=changes,
            )
            if "severity" in changes:
                _follow_severity(actor, finding)
    return finding


def finding_close_if_resolved(*, actor: Actor, finding: Finding) -> None:
    """Close an open finding once every one of its actions is verified (called by
    ``action_verify``). This is remediation, not the audit's judgement, so it also
    happens after the audit is closed."""
    if finding.status != FindingStatus.OPEN:
        return
    actions = RemediationAction.objects.filter(finding=finding)
    if actions.exists() and not actions.exclude(status="verified").exists():
        finding.status = FindingStatus.CLOSED
        finding.save(update_fields=["status", "updated_at"])
        audit_event_record(
            actor=actor,
            organisation=finding.organisation,
            action="audits.finding_update",
            target=finding,
            changes={"status": [FindingStatus.OPEN, FindingStatus.CLOSED]},
        )
