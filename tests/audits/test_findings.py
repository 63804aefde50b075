"""Findings raised from check results, by hand, and what happens when a result changes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from audits.choices import CheckResult, FindingSeverity, FindingSource, FindingStatus, Priority
from audits.models import Finding
from audits.services import action_create, check_record, finding_create
from tests.helpers import fr

pytestmark = pytest.mark.django_db


@pytest.fixture
def check(annex_a_audit):
    return annex_a_audit.checks.select_related("requirement").get(requirement__ref_id="A.5.15")


@pytest.mark.parametrize(
    ("result", "severity"),
    [
        (CheckResult.NC_MAJEURE, FindingSeverity.MAJOR),
        (CheckResult.NC_MINEURE, FindingSeverity.MINOR),
        (CheckResult.OBSERVATION, FindingSeverity.OBSERVATION),
        (CheckResult.PISTE_DE_PROGRES, FindingSeverity.OPPORTUNITY),
    ],
)
def test_a_nonconformity_or_observation_becomes_a_finding(check, lead, result, severity):
    check_record(actor=lead, check=check, result=result, notes="Comptes partagés aux urgences")
    finding = Finding.objects.get(audit_check=check)
    assert finding.severity == severity
    assert finding.audit == check.audit
    assert finding.requirement == check.requirement
    assert finding.source == FindingSource.AUDIT
    assert finding.description == "Comptes partagés aux urgences"
    assert finding.title.startswith("A.5.15 ")


@pytest.mark.parametrize("result", [CheckResult.CONFORME, CheckResult.NON_EVALUE])
def test_a_conforming_or_unassessed_check_raises_no_finding(check, lead, result):
    check_record(actor=lead, check=check, result=CheckResult.CONFORME)
    check_record(actor=lead, check=check, result=result, notes="ok")
    assert not Finding.objects.exists()


def test_a_result_changed_between_findings_keeps_one_finding_and_updates_severity(check, lead):
    check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
    check_record(actor=lead, check=check, result=CheckResult.NC_MAJEURE)
    finding = Finding.objects.get()
    assert finding.severity == FindingSeverity.MAJOR


def test_a_result_changed_back_to_conforming_withdraws_the_finding_and_it_reopens(check, lead):
    check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
    check_record(actor=lead, check=check, result=CheckResult.CONFORME)
    finding = Finding.objects.get()
    assert finding.status == FindingStatus.WITHDRAWN
    check_record(actor=lead, check=check, result=CheckResult.OBSERVATION)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert finding.severity == FindingSeverity.OBSERVATION
    assert Finding.objects.count() == 1


def test_actions_follow_a_new_severity_unless_their_priority_was_overridden(check, lead):
    check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
    finding = Finding.objects.get()
    due = datetime.date(2030, 1, 1)
    follows = action_create(actor=lead, finding=finding, title="A", due_date=due)
    overridden = action_create(
        actor=lead,
        finding=finding,
        title="B",
        due_date=due,
        priority=Priority.LOW,
        priority_override_reason="Mesure compensatoire déjà en place",
    )
    check_record(actor=lead, check=check, result=CheckResult.NC_MAJEURE)
    follows.refresh_from_db()
    overridden.refresh_from_db()
    assert follows.priority == Priority.HIGH
    assert overridden.priority == Priority.LOW


def test_an_incident_lesson_becomes_a_finding_without_an_audit(org_a, owner, requirement):
    finding = finding_create(
        actor=owner,
        organisation=org_a,
        title="Sauvegardes non testées",
        description="Leçon de l'incident du 3 mars",
        severity=FindingSeverity.MAJOR,
        requirement=requirement("iso27001-2022", "A.8.13"),
        source=FindingSource.INCIDENT,
    )
    assert finding.audit is None
    assert finding.audit_check is None
    assert finding.source == FindingSource.INCIDENT
    assert finding.reference == "F-001"


def test_findings_are_numbered_per_organisation(org_a, org_b, owner, outsider):
    first = finding_create(actor=owner, organisation=org_a, title="a", severity="minor")
    second = finding_create(actor=owner, organisation=org_a, title="b", severity="minor")
    other = finding_create(actor=outsider, organisation=org_b, title="c", severity="minor")
    assert (first.number, second.number, other.number) == (1, 2, 1)


def test_a_check_of_another_organisation_is_refused(check, org_b, outsider):
    with pytest.raises(ValidationError):
        finding_create(actor=outsider, organisation=org_b, title="x", severity="minor", check=check)


def test_a_second_finding_on_the_same_check_is_refused(check, lead, org_a):
    check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
    with pytest.raises(ValidationError) as error:
        finding_create(actor=lead, organisation=org_a, title="x", severity="minor", check=check)
    assert error.value.message_dict["check"] == [fr("This check already has a finding.")]
