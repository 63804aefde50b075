"""The risk treatment's actions, kept in the remediation plan of the audits app (ISO/IEC
27001:2022 6.1.3 e: the plan says what will be done, by whom and when)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from audits.choices import FindingSeverity, FindingSource, Priority
from audits.models import Finding, RemediationAction
from audits.services import action_create, finding_create
from compliance.models import User
from compliance.services.audit_trail import Actor, audit_event_record
from risks.models import Risk


def risk_finding(*, actor: Actor, risk: Risk) -> Finding:
    """The risk's entry in the remediation plan, raised on first use (an opportunity for
    improvement: a treatment is not a nonconformity)."""
    with transaction.atomic():
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        if risk.finding_id is not None:
            return Finding.objects.get(pk=risk.finding_id)
        finding = finding_create(
            actor=actor,
            organisation=risk.organisation,
            title=_("Risk treatment %(ref)s: %(title)s")
            % {"ref": risk.reference, "title": risk.title},
            description=risk.treatment_description,
            severity=FindingSeverity.OPPORTUNITY,
            source=FindingSource.RISK,
        )
        Risk.objects.filter(pk=risk.pk).update(finding=finding)
    return finding


def risk_action_create(
    *,
    actor: Actor,
    risk: Risk,
    title: str,
    due_date: datetime.date,
    owner: User | None = None,
    description: str = "",
) -> RemediationAction:
    """Add an action of the risk's treatment to the remediation plan. A risk above the
    acceptance threshold gets a high priority, with the reason written down."""
    level = risk.current_level
    urgent = level is not None and not level.acceptable
    with transaction.atomic():
        finding = risk_finding(actor=actor, risk=risk)
        action = action_create(
            actor=actor,
            finding=finding,
            title=title,
            due_date=due_date,
            description=description,
            owner=owner,
            priority=Priority.HIGH if urgent else None,
            priority_override_reason=(
                _("Risk %(ref)s is above the acceptance threshold (level %(score)s).")
                % {"ref": risk.reference, "score": level.score}
                if urgent and level is not None
                else ""
            ),
        )
        risk.actions.add(action)
        audit_event_record(
            actor=actor,
            organisation=risk.organisation,
            action="risks.action_linked",
            target=risk,
            changes={"actions": {"added": [action.pk]}},
        )
    return action
