"""Lessons learned from an incident become a finding and a remediation action
(ISO/IEC 27001:2022 A.5.27, "Learning from information security incidents"), through
the services of the audits app (a finding there can exist without an audit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.services.audit_trail import Actor, actor_label, audit_event_record
from incidents.choices import EventKind
from incidents.models import Incident, IncidentEvent


def available() -> bool:
    try:
        from audits.services.actions import action_create  # noqa: F401
        from audits.services.findings import finding_create  # noqa: F401
    except ImportError:
        return False
    return True


def _a527() -> Any:
    """The ISO 27001:2022 control A.5.27, when the catalogue is loaded."""
    from controls.models import Requirement

    return (
        Requirement.objects.filter(framework__code="iso27001-2022", ref_id="A.5.27")
        .order_by("-framework__id")
        .first()
    )


def lessons_record(
    *,
    actor: Actor,
    incident: Incident,
    lessons: str,
    finding_title: str,
    severity: str,
    action_title: str,
    action_due_on: date,
) -> Any:
    """Keep the lessons on the incident, and raise a finding (source "incident") with
    one remediation action owned by the incident's owner. One transaction."""
    from audits.choices import FindingSource
    from audits.services.actions import action_create
    from audits.services.findings import finding_create

    with transaction.atomic():
        finding = finding_create(
            actor=actor,
            organisation=incident.organisation,
            title=finding_title,
            description=lessons,
            severity=severity,
            requirement=_a527(),
            source=FindingSource.INCIDENT,
            root_cause=incident.root_cause,
        )
        action = action_create(
            actor=actor,
            finding=finding,
            title=action_title,
            due_date=action_due_on,
            owner=incident.owner,
        )
        incident.lessons_learned = lessons
        incident.save(update_fields=["lessons_learned", "updated_at"])
        IncidentEvent.objects.create(
            incident=incident,
            kind=EventKind.LESSONS,
            occurred_at=timezone.now(),
            text=_("Lessons learned: finding %(finding)s and action “%(action)s” created.")
            % {"finding": finding.reference, "action": action.title},
            actor_label=actor_label(actor)[:254],
        )
        audit_event_record(
            actor=actor,
            organisation=incident.organisation,
            action="incidents.lessons",
            target=incident,
            changes={"finding": finding.pk, "action": action.pk},
        )
    return finding
