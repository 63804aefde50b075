"""Remediation actions: create, move along open → in progress → done, verify.

Priority rule (``audits.choices.SEVERITY_PRIORITY``): major nonconformity → high, minor
→ medium, observation or opportunity for improvement → low. Another priority may be set,
with a written reason that stays on the action and in the audit trail.

Verification (the four-eyes rule): only a done action can be verified, it needs an
evidence item of the organisation and a person other than the action's owner.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.choices import (
    ACTION_TRANSITIONS,
    SEVERITY_PRIORITY,
    ActionStatus,
    FindingStatus,
    Priority,
)
from audits.models import Finding, RemediationAction
from audits.services.findings import finding_close_if_resolved
from compliance.models import Membership, User
from compliance.services.audit_trail import Actor, actor_label, audit_event_record, diff, snapshot
from evidence.models import Evidence

ACTION_FIELDS = (
    "title",
    "description",
    "owner",
    "due_date",
    "priority",
    "priority_override_reason",
    "status",
)


def _check_priority(action: RemediationAction) -> None:
    if action.priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    derived = SEVERITY_PRIORITY[action.finding.severity]
    if action.priority == derived:
        action.priority_override_reason = ""
    elif not action.priority_override_reason.strip():
        raise ValidationError(
            {
                "priority_override_reason": _(
                    "The rule gives “%(derived)s” for this finding's severity: say why "
                    "this action needs another priority."
                )
                % {"derived": Priority(derived).label}
            }
        )


def _check_owner(action: RemediationAction) -> None:
    if (
        action.owner_id is not None
        and not Membership.objects.filter(
            organisation_id=action.organisation_id, user_id=action.owner_id
        ).exists()
    ):
        raise ValidationError({"owner": _("The owner must be a member of this organisation.")})


def action_create(
    *,
    actor: Actor,
    finding: Finding,
    title: str,
    due_date: datetime.date,
    description: str = "",
    owner: User | None = None,
    priority: str | None = None,
    priority_override_reason: str = "",
) -> RemediationAction:
    """Add an action to a finding's remediation plan (also after its audit is closed:
    the plan is how the organisation answers the audit)."""
    if not title.strip():
        raise ValidationError({"title": _("Say what is to be done.")})
    with transaction.atomic():
        # Re-read the finding: its status may have changed since the caller loaded it.
        finding = (
            Finding.objects.select_for_update().select_related("organisation").get(pk=finding.pk)
        )
        action = RemediationAction(
            organisation_id=finding.organisation_id,
            finding=finding,
            title=title.strip()[:300],
            description=description,
            owner=owner,
            due_date=due_date,
            priority=priority or SEVERITY_PRIORITY[finding.severity],
            priority_override_reason=priority_override_reason,
            created_by_label=actor_label(actor)[:254],
        )
        _check_priority(action)
        _check_owner(action)
        action.save()
        if finding.status == FindingStatus.CLOSED:
            # New work on a finding that had been resolved: it is open again.
            finding.status = FindingStatus.OPEN
            finding.save(update_fields=["status", "updated_at"])
            audit_event_record(
                actor=actor,
                organisation=finding.organisation,
                action="audits.finding_update",
                target=finding,
                changes={"status": [FindingStatus.CLOSED, FindingStatus.OPEN]},
            )
        audit_event_record(
            actor=actor,
            organisation=finding.organisation,
            action="audits.action_create",
            target=action,
            changes={
                **{k: [None, v] for k, v in snapshot(action, ACTION_FIELDS).items()},
                "finding": [None, finding.reference],
            },
        )
    return action


def action_update(*, actor: Actor, action: RemediationAction, **fields: Any) -> RemediationAction:
    """Edit an action or move its status (``verified`` only through ``action_verify``)."""
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"action_update does not change {sorted(unknown)}")
    with transaction.atomic():
        action = (
            RemediationAction.objects.select_for_update(of=("self",))
            .select_related("finding", "finding__organisation")
            .get(pk=action.pk)
        )
        if action.status == ActionStatus.VERIFIED:
            raise ValidationError(
                _("This action was verified on %(date)s: it can no longer change.")
                % {
                    "date": timezone.localtime(action.verified_at).date()
                    if action.verified_at
                    else ""
                },
                code="action_verified",
            )
        before = snapshot(action, ACTION_FIELDS)
        new_status = fields.pop("status", action.status)
        for key, value in fields.items():
            setattr(action, key, value)
        if new_status != action.status:
            if new_status == ActionStatus.VERIFIED:
                raise ValidationError(
                    {"status": _("Use “Verify” to record who checked the work and the evidence.")}
                )
            if new_status not in ACTION_TRANSITIONS[action.status]:
                raise ValidationError(
                    {
                        "status": _("An action cannot go from “%(from)s” to “%(to)s”.")
                        % {
                            "from": ActionStatus(action.status).label,
                            "to": ActionStatus(new_status).label
                            if new_status in ActionStatus.values
                            else new_status,
                        }
                    }
                )
            action.status = new_status
            action.completed_at = timezone.now() if new_status == ActionStatus.DONE else None
        _check_priority(action)
        _check_owner(action)
        if not action.title.strip():
            raise ValidationError({"title": _("Say what is to be done.")})
        changes = diff(before, snapshot(action, ACTION_FIELDS))
        if changes:
            action.save()
            audit_event_record(
                actor=actor,
                organisation=action.finding.organisation,
                action="audits.action_update",
                target=action,
                changes=changes,
            )
    return action


def action_verify(
    *,
    actor: Actor,
    action: RemediationAction,
    verified_by: User,
    evidence: Any,
    notes: str = "",
) -> RemediationAction:
    """Record that someone other than the owner checked the work, on the strength of an
    evidence item; closes the finding when it was its last unverified action."""
    with transaction.atomic():
        action = (
            RemediationAction.objects.select_for_update(of=("self",))
            .select_related("finding", "finding__organisation")
            .get(pk=action.pk)
        )
        errors: dict[str, str] = {}
        if action.status != ActionStatus.DONE:
            errors["status"] = _("Only an action marked done can be verified.")
        if evidence is None:
            errors["evidence"] = _("Verification needs an evidence item.")
        elif evidence.organisation_id != action.organisation_id:
            errors["evidence"] = _("Evidence of another organisation.")
        elif not (Evidence.objects.filter(pk=evidence.pk).valid_on(timezone.localdate()).exists()):
            errors["evidence"] = _(
                "This evidence item has expired or its file failed the integrity check: "
                "it cannot support a verification."
            )
        if verified_by is None or not isinstance(verified_by, User):
            errors["verified_by"] = _("Verification needs a named person.")
        elif action.owner_id is not None and verified_by.pk == action.owner_id:
            errors["verified_by"] = _(
                "The owner of an action cannot verify it: another person must check the work."
            )
        elif not Membership.objects.filter(
            organisation_id=action.organisation_id, user=verified_by
        ).exists():
            errors["verified_by"] = _("The verifier must be a member of this organisation.")
        if errors:
            raise ValidationError(errors)
        action.status = ActionStatus.VERIFIED
        action.verification_evidence = evidence
        action.verified_by = verified_by
        action.verified_at = timezone.now()
        action.verification_notes = notes
        action.save()
        audit_event_record(
            actor=actor,
            organisation=action.finding.organisation,
            action="audits.action_verify",
            target=action,
            changes={
                "status": [ActionStatus.DONE, ActionStatus.VERIFIED],
                "verified_by": [None, verified_by.email],
                "verification_evidence": [None, evidence.pk],
            },
        )
        finding_close_if_resolved(actor=actor, finding=action.finding)
    return action
