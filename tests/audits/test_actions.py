"""Remediation actions: the priority rule and its override, status moves, verification."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from audits.choices import ActionStatus, FindingSeverity, FindingStatus, Priority
from audits.models import Finding
from audits.services import action_create, action_update, action_verify, finding_create
from compliance.choices import Role
from compliance.models import AuditEvent
from evidence.models import Evidence

pytestmark = pytest.mark.django_db

DUE = datetime.date(2030, 6, 30)


@pytest.fixture
def finding(org_a, owner):
    return finding_create(
        actor=owner, organisation=org_a, title="MFA absente", severity=FindingSeverity.MAJOR
    )


@pytest.fixture
def rssi(member_with_role):
    return member_with_role(Role.CONTRIBUTOR, user__email="rssi@tilleuls.example")


@pytest.fixture
def done_action(finding, owner, rssi):
    action = action_create(
        actor=owner, finding=finding, title="Activer la MFA", due_date=DUE, owner=rssi
    )
    action_update(actor=rssi, action=action, status=ActionStatus.IN_PROGRESS)
    return action_update(actor=rssi, action=action, status=ActionStatus.DONE)


class TestPriority:
    @pytest.mark.parametrize(
        ("severity", "priority"),
        [
            (FindingSeverity.MAJOR, Priority.HIGH),
            (FindingSeverity.MINOR, Priority.MEDIUM),
            (FindingSeverity.OBSERVATION, Priority.LOW),
            (FindingSeverity.OPPORTUNITY, Priority.LOW),
        ],
    )
    def test_the_priority_is_derived_from_the_severity(self, org_a, owner, severity, priority):
        finding = finding_create(actor=owner, organisation=org_a, title="x", severity=severity)
        action = action_create(actor=owner, finding=finding, title="y", due_date=DUE)
        assert action.priority == priority

    def test_another_priority_needs_a_reason(self, finding, owner):
        with pytest.raises(ValidationError) as error:
            action_create(
                actor=owner, finding=finding, title="y", due_date=DUE, priority=Priority.LOW
            )
        assert "priority_override_reason" in error.value.message_dict
        assert str(Priority.HIGH.label) in str(error.value)

    def test_an_override_with_a_reason_is_kept_and_audited(self, finding, owner):
        action = action_create(
            actor=owner,
            finding=finding,
            title="y",
            due_date=DUE,
            priority=Priority.MEDIUM,
            priority_override_reason="Compte à privilèges isolé du réseau",
        )
        assert action.priority == Priority.MEDIUM
        event = AuditEvent.objects.get(action="audits.action_create")
        assert event.changes["priority_override_reason"][1] == "Compte à privilèges isolé du réseau"

    def test_going_back_to_the_derived_priority_drops_the_reason(self, finding, owner):
        action = action_create(
            actor=owner,
            finding=finding,
            title="y",
            due_date=DUE,
            priority=Priority.MEDIUM,
            priority_override_reason="r",
        )
        action = action_update(actor=owner, action=action, priority=Priority.HIGH)
        assert action.priority_override_reason == ""


class TestStatus:
    def test_an_action_goes_open_in_progress_done(self, done_action):
        assert done_action.status == ActionStatus.DONE
        assert done_action.completed_at is not None

    def test_verified_is_not_a_plain_status_change(self, done_action, owner):
        with pytest.raises(ValidationError) as error:
            action_update(actor=owner, action=done_action, status=ActionStatus.VERIFIED)
        assert "status" in error.value.message_dict

    def test_an_owner_outside_the_organisation_is_refused(self, finding, owner, outsider):
        with pytest.raises(ValidationError) as error:
            action_create(actor=owner, finding=finding, title="y", due_date=DUE, owner=outsider)
        assert "owner" in error.value.message_dict


class TestVerification:
    @pytest.fixture
    def proof(self, org_a, owner):
        return Evidence.objects.create(
            organisation=org_a, title="Capture de la console MFA", created_by=owner
        )

    def test_another_person_with_evidence_verifies_and_the_finding_closes(
        self, done_action, owner, proof
    ):
        action = action_verify(actor=owner, action=done_action, verified_by=owner, evidence=proof)
        assert action.status == ActionStatus.VERIFIED
        assert action.verified_by == owner
        assert action.verification_evidence == proof
        action.finding.refresh_from_db()
        assert action.finding.status == FindingStatus.CLOSED

    def test_the_owner_cannot_verify_their_own_action(self, done_action, rssi, proof):
        with pytest.raises(ValidationError) as error:
            action_verify(actor=rssi, action=done_action, verified_by=rssi, evidence=proof)
        assert "verified_by" in error.value.message_dict
        done_action.refresh_from_db()
        assert done_action.status == ActionStatus.DONE

    def test_verification_needs_an_evidence_item(self, done_action, owner):
        with pytest.raises(ValidationError) as error:
            action_verify(actor=owner, action=done_action, verified_by=owner, evidence=None)
        assert "evidence" in error.value.message_dict

    def test_expired_evidence_does_not_verify(self, done_action, owner, proof):
        proof.expires_on = datetime.date(2020, 1, 1)
        proof.save()
        with pytest.raises(ValidationError) as error:
            action_verify(actor=owner, action=done_action, verified_by=owner, evidence=proof)
        assert "evidence" in error.value.message_dict

    def test_evidence_of_another_organisation_does_not_verify(self, done_action, owner, org_b):
        foreign = Evidence.objects.create(organisation=org_b, title="x")
        with pytest.raises(ValidationError):
            action_verify(actor=owner, action=done_action, verified_by=owner, evidence=foreign)

    def test_an_action_not_done_cannot_be_verified(self, finding, owner, rssi, proof):
        action = action_create(actor=owner, finding=finding, title="y", due_date=DUE, owner=rssi)
        with pytest.raises(ValidationError) as error:
            action_verify(actor=owner, action=action, verified_by=owner, evidence=proof)
        assert "status" in error.value.message_dict

    def test_a_verified_action_no_longer_changes(self, done_action, owner, proof):
        action = action_verify(actor=owner, action=done_action, verified_by=owner, evidence=proof)
        with pytest.raises(ValidationError) as error:
            action_update(actor=owner, action=action, title="autre")
        assert error.value.code == "action_verified"


def test_a_new_action_on_a_closed_finding_reopens_it(done_action, owner):
    proof = Evidence.objects.create(organisation=done_action.organisation, title="PV")
    action_verify(actor=owner, action=done_action, verified_by=owner, evidence=proof)
    stale = Finding.objects.get(pk=done_action.finding_id)
    finding = done_action.finding
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED
    stale.status = FindingStatus.OPEN  # a copy loaded before the verification
    action_create(actor=owner, finding=stale, title="Suite", due_date=DUE)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
