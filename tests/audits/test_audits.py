"""Audits: scope, sampling, check generation, status, and the lock of a closed audit."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from audits.choices import AuditStatus, CheckResult
from audits.models import AuditCheck
from audits.services import (
    AuditLocked,
    audit_create,
    audit_scope_requirements,
    audit_transition,
    audit_update,
    check_record,
    finding_update,
)
from compliance.models import AuditEvent
from controls.models import Requirement, Theme
from tests.helpers import fr

pytestmark = pytest.mark.django_db


def close(audit, actor):
    for status in (AuditStatus.FIELDWORK, AuditStatus.REPORTING, AuditStatus.CLOSED):
        audit = audit_transition(actor=actor, audit=audit, status=status)
    return audit


class TestScope:
    def test_the_four_annex_a_themes_give_93_checks_in_catalogue_order(self, annex_a_audit):
        refs = list(
            annex_a_audit.checks.order_by("order").values_list("requirement__ref_id", flat=True)
        )
        assert len(refs) == 93
        assert refs[0] == "A.5.1"
        assert refs[-1] == "A.8.34"

    def test_a_framework_without_themes_covers_its_assessable_requirements(self, iso):
        scope = audit_scope_requirements(frameworks=[iso])
        assert len(scope) == Requirement.objects.filter(framework=iso, assessable=True).count()
        assert {"A.5.1", "A.8.34"} <= {r.ref_id for r in scope}

    def test_explicit_requirements_are_added_once(self, annex_a_themes, requirement):
        scope = audit_scope_requirements(
            themes=[t for t in annex_a_themes if t.code == "people"],
            requirements=[requirement("iso27001-2022", "A.6.1"), requirement("nis2", "21.2.b")],
        )
        refs = [r.ref_id for r in scope]
        assert refs.count("A.6.1") == 1
        assert "21.2.b" in refs
        assert len(refs) == 8 + 1

    def test_an_empty_scope_is_refused(self, lead, org_a):
        message = fr("The scope is empty: choose a framework, a theme or requirements to audit.")
        with pytest.raises(ValidationError, match=re.escape(message)):
            audit_create(actor=lead, organisation=org_a, title="Vide")


class TestSampling:
    def test_the_same_seed_draws_the_same_controls(self, annex_a_themes):
        first = audit_scope_requirements(
            themes=annex_a_themes, sample_per_theme=3, sample_seed="lilas-2026"
        )
        again = audit_scope_requirements(
            themes=annex_a_themes, sample_per_theme=3, sample_seed="lilas-2026"
        )
        assert [r.pk for r in first] == [r.pk for r in again]
        assert len(first) == 12  # 3 in each of the 4 themes

    def test_another_seed_draws_other_controls(self, annex_a_themes):
        picks = {
            tuple(
                r.pk
                for r in audit_scope_requirements(
                    themes=annex_a_themes, sample_per_theme=3, sample_seed=seed
                )
            )
            for seed in ("a", "b", "c")
        }
        assert len(picks) > 1

    def test_adding_a_theme_does_not_change_the_picks_of_the_others(self, annex_a_themes):
        people = [t for t in annex_a_themes if t.code == "people"]
        alone = audit_scope_requirements(themes=people, sample_per_theme=2, sample_seed="s")
        together = audit_scope_requirements(
            themes=annex_a_themes, sample_per_theme=2, sample_seed="s"
        )
        assert {r.pk for r in alone} <= {r.pk for r in together}

    def test_the_audit_keeps_a_seed_so_its_sample_can_be_redrawn(self, make_audit, annex_a_themes):
        audit = make_audit(sample_per_theme=2)
        assert audit.sample_seed
        again = audit_scope_requirements(
            themes=annex_a_themes, sample_per_theme=2, sample_seed=audit.sample_seed
        )
        assert set(audit.checks.values_list("requirement_id", flat=True)) == {r.pk for r in again}

    def test_a_theme_smaller_than_n_is_taken_whole(self, annex_a_themes):
        physical = [t for t in annex_a_themes if t.code == "physical"]
        scope = audit_scope_requirements(themes=physical, sample_per_theme=50, sample_seed="x")
        assert len(scope) == 14


class TestCreation:
    def test_creating_an_audit_is_in_the_audit_trail(self, annex_a_audit, org_a):
        event = AuditEvent.objects.get(action="audits.audit_create", organisation=org_a)
        assert event.changes["checks"] == [None, 93]

    def test_people_outside_the_organisation_cannot_be_on_the_team(
        self, lead, org_a, outsider, annex_a_themes
    ):
        with pytest.raises(ValidationError) as error:
            audit_create(
                actor=lead,
                organisation=org_a,
                title="x",
                themes=annex_a_themes,
                auditors=[outsider],
            )
        assert "auditors" in error.value.message_dict


class TestStatus:
    def test_an_audit_moves_one_step_at_a_time(self, annex_a_audit, lead):
        with pytest.raises(ValidationError) as error:
            audit_transition(actor=lead, audit=annex_a_audit, status=AuditStatus.CLOSED)
        assert error.value.code == "invalid_transition"
        audit = audit_transition(actor=lead, audit=annex_a_audit, status=AuditStatus.FIELDWORK)
        assert audit.status == AuditStatus.FIELDWORK

    def test_closing_records_when_and_who(self, annex_a_audit, lead):
        audit = close(annex_a_audit, lead)
        assert audit.closed_at is not None
        assert audit.closed_by_label == lead.email
        assert AuditEvent.objects.filter(action="audits.audit_close").count() == 1


class TestLockedAudit:
    @pytest.fixture
    def closed(self, annex_a_audit, lead):
        check = annex_a_audit.checks.first()
        check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
        return close(annex_a_audit, lead)

    def test_a_check_of_a_closed_audit_cannot_change_and_the_reason_is_given(self, closed, lead):
        check = closed.checks.first()
        with pytest.raises(AuditLocked) as error:
            check_record(actor=lead, check=check, result=CheckResult.CONFORME)
        assert error.value.code == "audit_locked"
        assert closed.title in error.value.messages[0]
        check.refresh_from_db()
        assert check.result == CheckResult.NC_MINEURE

    def test_the_audit_itself_cannot_change(self, closed, lead):
        with pytest.raises(AuditLocked):
            audit_update(actor=lead, audit=closed, title="Autre titre")
        with pytest.raises(AuditLocked):
            audit_transition(actor=lead, audit=closed, status=AuditStatus.REPORTING)

    def test_its_findings_cannot_change(self, closed, lead):
        finding = closed.findings.get()
        with pytest.raises(AuditLocked):
            finding_update(actor=lead, finding=finding, root_cause="Après coup")

    def test_a_stale_copy_of_the_audit_does_not_bypass_the_lock(self, annex_a_audit, lead):
        stale_check = AuditCheck.objects.select_related("audit").filter(audit=annex_a_audit)[0]
        close(annex_a_audit, lead)
        # stale_check.audit still says "planned" in memory; the service re-reads it.
        assert stale_check.audit.status == AuditStatus.PLANNED
        with pytest.raises(AuditLocked):
            check_record(actor=lead, check=stale_check, notes="trop tard")

    def test_nothing_is_written_to_the_audit_trail_for_a_refused_change(self, closed, lead):
        before = AuditEvent.objects.count()
        with pytest.raises(AuditLocked):
            check_record(actor=lead, check=closed.checks.first(), notes="x")
        assert AuditEvent.objects.count() == before


def test_theme_fixture_has_the_four_annex_a_themes(annex_a_themes):
    assert sorted(t.code for t in annex_a_themes) == [
        "organizational",
        "people",
        "physical",
        "technological",
    ]
    assert Theme.objects.filter(code="clauses").exists()
