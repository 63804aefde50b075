"""/api/v1/ audits, checks, findings and actions, as an HDS host drives a flash audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from audits.choices import ActionStatus, AuditStatus, CheckResult
from audits.models import Audit, Finding, RemediationAction
from audits.services import audit_transition, check_record, finding_create
from compliance.choices import ApiKeyScope, Role
from compliance.models import AuditEvent
from evidence.models import Evidence
from tests.factories import issue_api_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogues")]


def api(raw_key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def writer(org_a: Any) -> Client:
    return api(issue_api_key(org_a, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key)


@pytest.fixture
def reader(org_a: Any) -> Client:
    return api(issue_api_key(org_a, [ApiKeyScope.READ]).raw_key)


@pytest.fixture
def other(org_b: Any) -> Client:
    return api(issue_api_key(org_b, [ApiKeyScope.READ, ApiKeyScope.WRITE]).raw_key)


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data, content_type="application/json")


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_a_host_runs_a_flash_audit_end_to_end(writer, lead, member_with_role, org_a):
    rssi = member_with_role(Role.CONTRIBUTOR, user__email="rssi@tilleuls.example")
    created = post(
        writer,
        "/api/v1/audits/",
        {
            "title": "Audit flash HDS",
            "themes": ["iso27001-2022:technological"],
            "sample_per_theme": 5,
            "sample_seed": "hds",
            "lead_auditor": lead.email,
        },
    )
    assert created.status_code == 201, created.content
    audit_id = created.json()["id"]
    assert created.json()["checks_total"] == 5
    checks = writer.get(f"/api/v1/audit-checks/?audit={audit_id}").json()
    assert checks["count"] == 5
    check_id = checks["results"][0]["id"]
    evidence = Evidence.objects.create(organisation=org_a, title="Rapport de scan")
    updated = patch(
        writer,
        f"/api/v1/audit-checks/{check_id}/",
        {"result": CheckResult.NC_MAJEURE, "notes": "Aucun scan", "evidence": [evidence.pk]},
    )
    assert updated.status_code == 200, updated.content
    finding_id = updated.json()["finding"]
    assert updated.json()["evidence"] == [evidence.pk]
    finding = writer.get(f"/api/v1/findings/{finding_id}/").json()
    assert finding["severity"] == "major"
    assert (
        patch(writer, f"/api/v1/findings/{finding_id}/", {"root_cause": "Pas d'outil"}).status_code
        == 200
    )

    action = post(
        writer,
        "/api/v1/remediation-actions/",
        {
            "finding": finding_id,
            "title": "Déployer un scanner",
            "due_date": "2030-03-31",
            "owner": rssi.email,
        },
    )
    assert action.status_code == 201, action.content
    assert action.json()["priority"] == "high"
    action_id = action.json()["id"]
    assert (
        patch(writer, f"/api/v1/remediation-actions/{action_id}/", {"status": "done"}).status_code
        == 200
    )
    refused = post(
        writer,
        f"/api/v1/remediation-actions/{action_id}/verify/",
        {"evidence": evidence.pk, "verified_by": rssi.email},
    )
    assert refused.status_code == 400
    assert "verified_by" in refused.json()
    verified = post(
        writer,
        f"/api/v1/remediation-actions/{action_id}/verify/",
        {"evidence": evidence.pk, "verified_by": lead.email},
    )
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == ActionStatus.VERIFIED
    assert verified.json()["verified_by"] == lead.email

    for status in ("fieldwork", "reporting", "closed"):
        assert (
            post(writer, f"/api/v1/audits/{audit_id}/transition/", {"status": status}).status_code
            == 200
        )
    actions = set(
        AuditEvent.objects.filter(actor_api_key__isnull=False).values_list("action", flat=True)
    )
    assert {
        "audits.audit_create",
        "audits.check_record",
        "audits.finding_create",
        "audits.finding_update",
        "audits.action_create",
        "audits.action_update",
        "audits.action_verify",
        "audits.audit_close",
    } <= actions


class TestClosedAudit:
    @pytest.fixture
    def closed(self, annex_a_audit, lead):
        check_record(actor=lead, check=annex_a_audit.checks.first(), result=CheckResult.NC_MINEURE)
        for status in (AuditStatus.FIELDWORK, AuditStatus.REPORTING, AuditStatus.CLOSED):
            annex_a_audit = audit_transition(actor=lead, audit=annex_a_audit, status=status)
        return annex_a_audit

    def test_a_check_of_a_closed_audit_is_a_409_that_says_why(self, writer, closed):
        check = closed.checks.first()
        response = patch(writer, f"/api/v1/audit-checks/{check.pk}/", {"result": "conforme"})
        assert response.status_code == 409
        assert closed.title in response.json()["detail"]
        assert "locked" in response.json()["detail"]

    def test_a_finding_of_a_closed_audit_is_a_409(self, writer, closed):
        finding = closed.findings.get()
        assert (
            patch(writer, f"/api/v1/findings/{finding.pk}/", {"root_cause": "x"}).status_code == 409
        )

    def test_reopening_a_closed_audit_is_a_409(self, writer, closed):
        response = post(writer, f"/api/v1/audits/{closed.pk}/transition/", {"status": "reporting"})
        assert response.status_code == 409

    def test_its_remediation_plan_stays_open(self, writer, closed):
        finding = closed.findings.get()
        response = post(
            writer,
            "/api/v1/remediation-actions/",
            {"finding": finding.pk, "title": "x", "due_date": "2030-01-01"},
        )
        assert response.status_code == 201


class TestTenancyAndScopes:
    def test_another_organisations_objects_are_404(self, other, annex_a_audit, lead, org_a):
        check = annex_a_audit.checks.first()
        check_record(actor=lead, check=check, result=CheckResult.NC_MINEURE)
        finding = Finding.objects.get()
        action = RemediationAction.objects.create(
            organisation=org_a,
            finding=finding,
            title="x",
            priority="medium",
            due_date=datetime.date(2030, 1, 1),
        )
        assert other.get(f"/api/v1/audits/{annex_a_audit.pk}/").status_code == 404
        assert other.get(f"/api/v1/audit-checks/{check.pk}/").status_code == 404
        assert (
            patch(other, f"/api/v1/audit-checks/{check.pk}/", {"result": "conforme"}).status_code
            == 404
        )
        assert other.get(f"/api/v1/findings/{finding.pk}/").status_code == 404
        assert other.get(f"/api/v1/remediation-actions/{action.pk}/").status_code == 404
        assert (
            post(
                other, f"/api/v1/audits/{annex_a_audit.pk}/transition/", {"status": "fieldwork"}
            ).status_code
            == 404
        )
        assert other.get("/api/v1/audits/").json()["count"] == 0
        assert other.get("/api/v1/audit-checks/").json()["count"] == 0

    def test_an_action_on_another_organisations_finding_is_refused(self, other, org_a, owner):
        finding = finding_create(actor=owner, organisation=org_a, title="x", severity="minor")
        response = post(
            other,
            "/api/v1/remediation-actions/",
            {"finding": finding.pk, "title": "x", "due_date": "2030-01-01"},
        )
        assert response.status_code == 400
        assert not RemediationAction.objects.exists()

    def test_evidence_of_another_organisation_cannot_be_linked(self, writer, annex_a_audit, org_b):
        foreign = Evidence.objects.create(organisation=org_b, title="x")
        check = annex_a_audit.checks.first()
        response = patch(writer, f"/api/v1/audit-checks/{check.pk}/", {"evidence": [foreign.pk]})
        assert response.status_code == 400

    def test_a_read_only_key_cannot_write(self, reader, annex_a_audit):
        check = annex_a_audit.checks.first()
        assert reader.get(f"/api/v1/audit-checks/{check.pk}/").status_code == 200
        assert (
            patch(reader, f"/api/v1/audit-checks/{check.pk}/", {"result": "conforme"}).status_code
            == 403
        )

    def test_no_key_is_a_401(self):
        assert Client().get("/api/v1/audits/").status_code == 401


class TestLists:
    def test_checks_filter_by_result_and_theme_and_paginate(self, reader, annex_a_audit, lead):
        check_record(
            actor=lead,
            check=annex_a_audit.checks.get(requirement__ref_id="A.7.4"),
            result=CheckResult.OBSERVATION,
        )
        body = reader.get(f"/api/v1/audit-checks/?audit={annex_a_audit.pk}&theme=physical").json()
        assert body["count"] == 14
        body = reader.get("/api/v1/audit-checks/?result=observation").json()
        assert [c["ref_id"] for c in body["results"]] == ["A.7.4"]
        page = reader.get("/api/v1/audit-checks/?page_size=10").json()
        assert len(page["results"]) == 10 and page["count"] == 93

    def test_bad_input_is_a_400_with_the_field(self, writer, annex_a_audit):
        check = annex_a_audit.checks.first()
        response = patch(writer, f"/api/v1/audit-checks/{check.pk}/", {"result": "parfait"})
        assert response.status_code == 400
        assert "result" in response.json()
        response = post(writer, "/api/v1/audits/", {"title": "x", "themes": ["iso27001-2022:nope"]})
        assert response.status_code == 400
        assert not Audit.objects.filter(title="x").exists()

    def test_actions_filter_by_owner_and_status(self, reader, org_a, owner):
        finding = finding_create(actor=owner, organisation=org_a, title="x", severity="minor")
        RemediationAction.objects.create(
            organisation=org_a,
            finding=finding,
            title="a",
            priority="medium",
            due_date=datetime.date(2030, 1, 1),
            owner=owner,
        )
        RemediationAction.objects.create(
            organisation=org_a,
            finding=finding,
            title="b",
            priority="medium",
            due_date=datetime.date(2030, 1, 1),
            status="done",
        )
        assert reader.get(f"/api/v1/remediation-actions/?owner={owner.email}").json()["count"] == 1
        assert reader.get("/api/v1/remediation-actions/?status=done").json()["count"] == 1
