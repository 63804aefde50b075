"""Lessons learned become a finding and a remediation action (ISO 27001 A.5.27)."""

from __future__ import annotations

import pytest
from django.test import Client

from audits.models import Finding, RemediationAction
from compliance.models import AuditEvent
from incidents.models import Incident
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

LESSONS = {
    "lessons": "Les sauvegardes hors ligne n'étaient pas testées.",
    "finding_title": "Restauration des sauvegardes jamais testée",
    "severity": "minor",
    "action_title": "Test de restauration trimestriel",
    "action_due_on": "2027-01-31",
}


def test_lessons_create_a_finding_without_audit_and_its_action(
    owner_client: Client, ransomware: Incident
) -> None:
    url = f"/o/{ransomware.organisation.slug}/incidents/{ransomware.pk}/lessons/"
    response = owner_client.post(url, LESSONS)
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.audit is None and finding.source == "incident"
    assert finding.organisation == ransomware.organisation
    action = RemediationAction.objects.get(finding=finding)
    assert action.owner == ransomware.owner
    assert str(action.due_date) == "2027-01-31"
    assert AuditEvent.objects.filter(action="incidents.lessons").exists()
    text = page_text(
        owner_client.get(f"/o/{ransomware.organisation.slug}/incidents/{ransomware.pk}/")
    )
    assert "Test de restauration trimestriel" in text  # the timeline says so


def test_a_bad_date_keeps_what_was_typed(owner_client: Client, ransomware: Incident) -> None:
    url = f"/o/{ransomware.organisation.slug}/incidents/{ransomware.pk}/lessons/"
    response = owner_client.post(url, {**LESSONS, "action_due_on": "demain"})
    assert response.status_code == 400
    assert "Restauration des sauvegardes jamais testée" in page_text(response)
    assert not Finding.objects.exists()


def test_a_viewer_cannot_record_lessons(member_client: Client, ransomware: Incident) -> None:
    url = f"/o/{ransomware.organisation.slug}/incidents/{ransomware.pk}/lessons/"
    assert member_client.post(url, LESSONS).status_code == 403
    assert not Finding.objects.exists()
